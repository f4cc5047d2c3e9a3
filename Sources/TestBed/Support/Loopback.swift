#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// TCP checks on loopback addresses.
enum Loopback {
    /// Whether `address` is an IPv4 loopback address (127.0.0.0/8).
    static func isLoopback(_ address: String) -> Bool {
        guard let value = parse(address) else { return false }
        return value.s_addr & 0xff == 127  // network byte order: first octet in the lowest byte
    }

    static func parse(_ address: String) -> in_addr? {
        var value = in_addr()
        return inet_pton(AF_INET, address, &value) == 1 ? value : nil
    }

    static func socketAddress(_ address: String, _ port: Int) -> sockaddr_in? {
        guard let parsed = parse(address), (1...65535).contains(port) else { return nil }
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
        socketAddress.sin_addr = parsed
        return socketAddress
    }

    /// Whether a listening socket could be bound to `address:port` now (with SO_REUSEADDR, as sshd does).
    static func canBind(_ address: String, _ port: Int) -> Bool {
        guard var socketAddress = socketAddress(address, port) else { return false }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return bound == 0
    }

    /// Whether something accepts TCP connections on `address:port` (a blocking connect; loopback answers at once).
    static func accepts(_ address: String, _ port: Int) -> Bool {
        guard var socketAddress = socketAddress(address, port) else { return false }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return connected == 0
    }
}
