import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A UDP relay on 127.0.0.1 in front of a real DNS server: it records every query it receives, forwards it to the
/// server and sends the server's answer back, so a test can look at the exact bytes a client sent.
final class UDPRelay: Sendable {
    let port: Int
    private let descriptor: Int32
    private let recorded = Mutex<[[UInt8]]>([])
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts relaying to 127.0.0.1:`upstreamPort`; runs until ``stop()`` (or at most 60 s).
    init(upstreamPort: Int) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw FixtureError("socket: \(errno)") }
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw FixtureError("bind 127.0.0.1:0 failed")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Self.setTimeout(descriptor, milliseconds: 200)
        self.descriptor = descriptor
        Thread.detachNewThread { [self] in
            // Bounded: 300 rounds of at most 200 ms each.
            for _ in 0..<300 where !stopped.load(ordering: .relaxed) {
                var buffer = [UInt8](repeating: 0, count: 4096)
                var client = sockaddr_in()
                var clientLength = socklen_t(MemoryLayout<sockaddr_in>.size)
                let count = withUnsafeMutablePointer(to: &client) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(descriptor, &buffer, buffer.count, 0, $0, &clientLength)
                    }
                }
                guard count > 0 else { continue }
                let query = Array(buffer[0..<count])
                recorded.withLock { $0.append(query) }
                guard let answer = Self.ask(query, port: upstreamPort) else { continue }
                _ = withUnsafePointer(to: &client) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(descriptor, answer, answer.count, 0, $0, clientLength)
                    }
                }
            }
            finished.signal()
        }
    }

    /// The queries received so far.
    var queries: [[UInt8]] { recorded.withLock { $0 } }

    /// Stops the relay thread and closes its socket.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        finished.wait()
        close(descriptor)
    }

    deinit { stop() }

    private static func ask(_ query: [UInt8], port: Int) -> [UInt8]? {
        let upstream = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard upstream >= 0 else { return nil }
        defer { close(upstream) }
        setTimeout(upstream, milliseconds: 2000)
        var server = loopback(port: port)
        let connected = withUnsafePointer(to: &server) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0, send(upstream, query, query.count, 0) == query.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(upstream, &buffer, buffer.count, 0)
        return count > 0 ? Array(buffer[0..<count]) : nil
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    private static func setTimeout(_ descriptor: Int32, milliseconds: Int) {
        var time = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The EDNS Client Subnet option (code 8, with its code and length) of a query, or nil when it has none.
    static func clientSubnetOption(_ query: [UInt8]) -> [UInt8]? {
        guard query.count > 12 else { return nil }
        func u16(_ at: Int) -> Int { Int(query[at]) << 8 | Int(query[at + 1]) }
        var offset = 12
        // The question: labels, then type and class. Bounded by the packet.
        while offset < query.count, query[offset] != 0 { offset += 1 + Int(query[offset]) }
        offset += 5
        // The additional records (a query has no answers or authorities); find the OPT record (type 41).
        for _ in 0..<u16(10) {
            guard offset + 11 <= query.count, query[offset] == 0 else { return nil }
            let type = u16(offset + 1)
            let length = u16(offset + 9)
            var option = offset + 11
            let end = option + length
            guard end <= query.count else { return nil }
            if type == 41 {
                while option + 4 <= end {
                    let code = u16(option)
                    let size = u16(option + 2)
                    guard option + 4 + size <= end else { return nil }
                    if code == 8 { return Array(query[option..<option + 4 + size]) }
                    option += 4 + size
                }
            }
            offset = end
        }
        return nil
    }
}
