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
    /// - Parameter nameserver: the server's host name, for the answer and errors.
    /// - Throws: ``DiscoveryError`` naming the record and the server: invalid name, no answer, NXDOMAIN, no A record.
    public func resolveA(_ name: String, nameserver: String) async throws(DiscoveryError) -> DNSAnswer {
        let resolver = self
        let result: Result<DNSAnswer, DiscoveryError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(DiscoveryError) {
                    continuation.resume(returning: .success(try resolver.query(name, nameserver: nameserver)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    // MARK: - Wire format

    private func query(_ name: String, nameserver: String) throws(DiscoveryError) -> DNSAnswer {
        let failure = { (reason: String) in
            DiscoveryError("Unable to resolve \(name) from \(nameserver) (\(address):\(port)): \(reason)")
        }
        guard let question = Self.encodeName(name) else { throw failure("not a valid DNS name") }
        let id = UInt16.random(in: 0...UInt16.max)
        var packet: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        packet += question + [0, 1, 0, 1]  // type A, class IN
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
