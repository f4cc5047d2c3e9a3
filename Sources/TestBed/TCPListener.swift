import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP server on 127.0.0.1 (random port) that collects what each connection sends until it closes: a stand-in
/// for tcpircbot in tests.
public final class TCPListener: Sendable {
    /// The port it listens on.
    public let port: Int
    private let socketFD: Int32
    private let received = Mutex<[String]>([])

    /// Listens on a free port of 127.0.0.1.
    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        socketFD = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Accepts `count` connections in the background, reading each to its end.
    @discardableResult
    public func accept(count: Int) -> Thread {
        let fd = socketFD
        let thread = Thread { [self] in
            for _ in 0..<count {
                let client = Glibc.accept(fd, nil, nil)
                guard client >= 0 else { return }
                var data = [UInt8]()
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = recv(client, &buffer, buffer.count, 0)
                    if n <= 0 { break }
                    data += buffer[0..<n]
                }
                close(client)
                let text = String(decoding: data, as: UTF8.self)
                received.withLock { $0.append(text) }
            }
        }
        thread.start()
        return thread
    }

    /// Waits until `count` messages have arrived or `timeout` passes, and returns them.
    public func messages(count: Int, timeout: Duration = .seconds(5)) -> [String] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = received.withLock { $0 }
            if current.count >= count { return current }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return received.withLock { $0 }
    }

    /// Stops listening.
    public func stop() {
        shutdown(socketFD, Int32(SHUT_RDWR))
        close(socketFD)
    }
}

/// A port on 127.0.0.1 that nothing listens on.
public func closedPort() throws -> Int {
    let listener = try TCPListener()
    let port = listener.port
    listener.stop()
    return port
}
