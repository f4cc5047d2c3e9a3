import Foundation
import OpsSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The A records of one name as an authoritative server answered them.
public struct DNSAnswer: Sendable, Equatable {
    /// The name server asked (its host name in the configuration).
    public var nameserver: String
    /// The fully qualified name asked for.
    public var name: String
    /// The IPv4 addresses, in answer order.
    public var addresses: [String]
    /// The smallest TTL of the A records.
    public var ttl: Int
}

/// An EDNS Client Subnet option (RFC 7871): the client network an answer is asked for, as a resolver serving that
/// client would send it. The address is cut to its prefix (the bits past it are zero on the wire).
public struct ClientSubnet: Sendable, Equatable {
    /// The client address as given (`10.64.32.17`, `2620:0:861::1`).
    public let address: String
    /// How many leading bits of it are sent: 24 for IPv4 and 56 for IPv6 by default (dnspython's defaults).
    public let prefixLength: Int
    /// The address family on the wire: 1 for IPv4, 2 for IPv6.
    public let family: UInt16
    /// The address bytes (4 or 16).
    private let bytes: [UInt8]

    /// A subnet for `address`.
    /// - Throws: ``DiscoveryError`` when `address` is not an IPv4 or IPv6 address, or the prefix is too long.
    public init(_ address: String, prefixLength: Int? = nil) throws(DiscoveryError) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            family = 1
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, address, &v6) == 1 {
            family = 2
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            throw DiscoveryError("Client IP \(address.prefix(64)) is not an IPv4 or IPv6 address")
        }
        let length = prefixLength ?? (family == 1 ? 24 : 56)
        guard (0...bytes.count * 8).contains(length) else {
            throw DiscoveryError("Client subnet prefix /\(length) is too long for \(address)")
        }
        self.address = address
        self.prefixLength = length
    }

    /// The option as sent in the OPT record: code 8, length, family, source prefix, scope prefix 0, address cut to
    /// the prefix's bytes with the bits past the prefix cleared.
    var option: [UInt8] {
        let count = (prefixLength + 7) / 8
        var address = Array(bytes.prefix(count))
        if prefixLength % 8 != 0, let last = address.indices.last {
            address[last] &= UInt8(truncatingIfNeeded: 0xff << (8 - prefixLength % 8))
        }
        let length = 4 + address.count
        let header: [UInt8] = [0, 8, UInt8(length >> 8), UInt8(length & 0xff)]
        return header + [UInt8(family >> 8), UInt8(family & 0xff), UInt8(prefixLength), 0] + address
    }

    /// The OPT pseudo-record carrying the option (root name, type 41, UDP payload size 1232, no flags).
    var optRecord: [UInt8] {
        let option = self.option
        return [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, UInt8(option.count >> 8), UInt8(option.count & 0xff)] + option
    }
}

/// A minimal DNS client for A records over UDP, asking one server directly (as dnspython's resolver with a
/// single nameserver does): no recursion, no cache, a bounded number of tries.
public struct DNSResolver: Sendable {
    /// The server's IPv4 address.
    public let address: String
    /// The server's port.
    public let port: Int
    /// How long to wait for each answer.
    public let timeout: Duration
    /// How many times a query is sent before giving up.
    public let tries: Int

    /// Creates a resolver asking `address:port`.
    public init(address: String, port: Int = 53, timeout: Duration = .seconds(2), tries: Int = 2) {
        self.address = address
        self.port = port
        self.timeout = timeout
        self.tries = min(max(tries, 1), 5)
    }

    /// The A records of `name`, asked to this server.
    /// - Parameters:
    ///   - nameserver: the server's host name, for the answer and errors.
    ///   - clientSubnet: ask for the answer a client of this subnet gets (EDNS Client Subnet); servers that do not
    ///     implement the option answer as without it.
    /// - Throws: ``DiscoveryError`` naming the record and the server: invalid name, no answer, NXDOMAIN, no A record.
    public func resolveA(
        _ name: String, nameserver: String, clientSubnet: ClientSubnet? = nil
    ) async throws(DiscoveryError) -> DNSAnswer {
        let resolver = self
        let result: Result<DNSAnswer, DiscoveryError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(DiscoveryError) {
                    let answer = try resolver.query(name, nameserver: nameserver, clientSubnet: clientSubnet)
                    continuation.resume(returning: .success(answer))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    // MARK: - Wire format

    private func query(
        _ name: String, nameserver: String, clientSubnet: ClientSubnet?
    ) throws(DiscoveryError) -> DNSAnswer {
        let failure = { (reason: String) in
            DiscoveryError("Unable to resolve \(name) from \(nameserver) (\(address):\(port)): \(reason)")
        }
        guard let question = Self.encodeName(name) else { throw failure("not a valid DNS name") }
        let id = UInt16.random(in: 0...UInt16.max)
        let packet = Self.queryPacket(id: id, question: question, clientSubnet: clientSubnet)
        var lastProblem = "no answer"
        for _ in 0..<tries {
            guard let answer = exchange(packet) else {
                lastProblem = "no answer within \(timeout)"
                continue
            }
            switch Self.parse(answer, id: id) {
            case .success(let (addresses, ttl)):
                return DNSAnswer(nameserver: nameserver, name: name, addresses: addresses, ttl: ttl)
            case .failure(let problem):
                throw failure(problem.reason)
            }
        }
        throw failure(lastProblem)
    }

    /// A query for the A records of an encoded name; with a client subnet, one additional OPT record carries it.
    static func queryPacket(id: UInt16, question: [UInt8], clientSubnet: ClientSubnet?) -> [UInt8] {
        let additional: UInt8 = clientSubnet == nil ? 0 : 1
        var packet: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, additional]
        packet += question + [0, 1, 0, 1]  // type A, class IN
        if let clientSubnet { packet += clientSubnet.optRecord }
        return packet
    }

    /// Sends `packet` and returns the first datagram answered, or nil on timeout or socket errors.
    private func exchange(_ packet: [UInt8]) -> [UInt8]? {
        var server = sockaddr_in()
        server.sin_family = sa_family_t(AF_INET)
        server.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        guard inet_pton(AF_INET, address, &server.sin_addr) == 1 else { return nil }
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        let seconds = timeout.inSeconds
        var time = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &server) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0, send(descriptor, packet, packet.count, 0) == packet.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? Array(buffer[0..<count]) : nil
    }

    struct Problem: Error {
        var reason: String
    }

    /// The A addresses and smallest TTL of an answer to query `id`.
    static func parse(_ message: [UInt8], id: UInt16) -> Result<([String], Int), Problem> {
        guard message.count >= 12 else { return .failure(Problem(reason: "truncated answer")) }
        func u16(_ at: Int) -> Int { Int(message[at]) << 8 | Int(message[at + 1]) }
        guard u16(0) == Int(id) else { return .failure(Problem(reason: "answer to another query")) }
        let rcode = message[3] & 0x0f
        guard rcode == 0 else {
            let names = [1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"]
            return .failure(Problem(reason: names[Int(rcode)] ?? "error code \(rcode)"))
        }
        let questions = u16(4)
        let answers = u16(6)
        var offset = 12
        for _ in 0..<min(questions, 16) {
            guard let end = skipName(message, from: offset), end + 4 <= message.count else {
                return .failure(Problem(reason: "malformed question"))
            }
            offset = end + 4
        }
        var addresses: [String] = []
        var ttl = Int.max
        for _ in 0..<min(answers, 256) {
            guard let end = skipName(message, from: offset), end + 10 <= message.count else {
                return .failure(Problem(reason: "malformed answer"))
            }
            let type = u16(end)
            let recordTTL = Int(message[end + 4]) << 24 | Int(message[end + 5]) << 16 | u16(end + 6)
            let length = u16(end + 8)
            let data = end + 10
            guard data + length <= message.count else { return .failure(Problem(reason: "malformed answer")) }
            if type == 1, length == 4 {
                addresses.append(message[data..<data + 4].map(String.init).joined(separator: "."))
                ttl = min(ttl, recordTTL)
            }
            offset = data + length
        }
        guard !addresses.isEmpty else { return .failure(Problem(reason: "no A record in the answer")) }
        return .success((addresses, ttl))
    }

    /// The offset after a (possibly compressed) name, or nil when malformed; bounded by 128 labels.
    static func skipName(_ message: [UInt8], from start: Int) -> Int? {
        var offset = start
        for _ in 0..<128 {
            guard offset < message.count else { return nil }
            let length = Int(message[offset])
            if length == 0 { return offset + 1 }
            if length & 0xc0 == 0xc0 { return offset + 2 <= message.count ? offset + 2 : nil }
            offset += 1 + length
        }
        return nil
    }

    /// The wire form of a name of letters, digits, `-` and `_`; nil when it is not one.
    static func encodeName(_ name: String) -> [UInt8]? {
        let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
        guard !trimmed.isEmpty, trimmed.utf8.count <= 253 else { return nil }
        var bytes: [UInt8] = []
        for label in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
            let utf8 = Array(label.utf8)
            guard (1...63).contains(utf8.count),
                utf8.allSatisfy({ $0 < 128 && (isalnum(Int32($0)) != 0 || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")) })
            else { return nil }
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        return bytes + [0]
    }
}
