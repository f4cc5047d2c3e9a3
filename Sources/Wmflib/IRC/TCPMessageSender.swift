import Foundation
import OpsSupport

#if canImport(Glibc)
    import Glibc

    private let streamSocketType = Int32(SOCK_STREAM.rawValue)
    private let sendFlags = Int32(MSG_NOSIGNAL)
    private func sendBytes(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
        Glibc.send(fd, pointer, count, sendFlags)
    }
#elseif canImport(Darwin)
    import Darwin

    private let streamSocketType = SOCK_STREAM
    private func sendBytes(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
        Darwin.send(fd, pointer, count, 0)
    }
#endif

/// Sends one message over a fresh TCP connection, as wmflib's `SocketHandler._send_message`.
struct TCPMessageSender: Sendable {
    /// The server's host name or address.
    let host: String
    /// The server's port.
    let port: Int
    /// The limit for connecting and for sending.
    let timeout: Duration

    /// Connects, sends all of `message` as UTF-8 and closes.
    /// - Throws: ``WmflibError`` describing the step that failed (resolution, connection, timeout, send).
    func send(_ message: String) throws(WmflibError) {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = streamSocketType
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let address = result else {
            throw WmflibError("Unable to resolve \(host):\(port): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(result) }

        let socketFD = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard socketFD >= 0 else { throw systemError("create a socket") }
        defer { close(socketFD) }

        let milliseconds = Int32(clamping: timeout.inMilliseconds)
        let flags = fcntl(socketFD, F_GETFL, 0)
        _ = fcntl(socketFD, F_SETFL, flags | O_NONBLOCK)
        if connect(socketFD, address.pointee.ai_addr, address.pointee.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { throw systemError("connect to \(host):\(port)") }
            var descriptor = pollfd(fd: socketFD, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            guard ready > 0 else {
                if ready == 0 { throw WmflibError("Connection to \(host):\(port) timed out") }
                throw systemError("connect to \(host):\(port)")
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(socketFD, SOL_SOCKET, SO_ERROR, &socketError, &length)
            guard socketError == 0 else {
                throw WmflibError("Unable to connect to \(host):\(port): \(String(cString: strerror(socketError)))")
            }
        }
        _ = fcntl(socketFD, F_SETFL, flags)
        var sendTimeout = timeval(tv_sec: Int(milliseconds / 1000), tv_usec: Int(milliseconds % 1000) * 1000)
        setsockopt(socketFD, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))

        let bytes = Array(message.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { buffer in
                sendBytes(socketFD, buffer.baseAddress, buffer.count)
            }
            guard sent > 0 else { throw systemError("send to \(host):\(port)") }
            offset += sent
        }
    }

    private func systemError(_ action: String) -> WmflibError {
        WmflibError("Unable to \(action): \(String(cString: strerror(errno)))")
    }
}

/// The host name of this machine, as Python's `socket.gethostname()`.
public func currentHostname() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return ProcessInfo.processInfo.hostName }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
