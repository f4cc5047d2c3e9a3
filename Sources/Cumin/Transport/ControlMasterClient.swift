import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// glibc's `pipe2`, which the Glibc module does not export: the descriptors are close-on-exec from the start, so
/// that an `ssh` started meanwhile by another task cannot inherit a pipe end and keep it open.
@_silgen_name("pipe2")
private func cPipe2(_ descriptors: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

/// Runs one command through a live OpenSSH master (``ConnectionReuse/persistent``) by speaking the master's
/// multiplexing protocol on its control socket (OpenSSH's `PROTOCOL.mux`, version 4), instead of starting an
/// `ssh` client process that would do the same: hello, a new-session request with the command and the
/// environment, the three standard descriptors passed with `SCM_RIGHTS` (`/dev/null` and two pipes of ours), then
/// the output from the pipes and the exit status from the socket.
///
/// Each command blocks one thread of its own in `poll(2)` (the cooperative pool is never blocked); a timeout or
/// a cancelled task closes the control connection, which makes the master close the session, as killing the
/// `ssh` client would. Anything that goes wrong before the session is open (no master, a stale socket, a
/// refusal) is ``Outcome/unavailable(_:)``: the caller then runs `ssh`, which starts a new master.
enum ControlMasterClient {
    enum Outcome: Sendable, Equatable {
        /// The remote command's exit status.
        case exited(Int32)
        /// The session ended without a status (the command was killed by a signal, or the master went away).
        case ended
        case timedOut
        case cancelled
        /// No session was opened; nothing ran on the host.
        case unavailable(String)
    }

    /// Runs `command` through the master listening on `socket`.
    static func run(
        socket: String, command: String, environment: [String], timeout: Duration?, collector: OutputCollector,
        live: OutputHandler?
    ) async -> Outcome {
        guard let wake = WakePipe() else { return .unavailable("no pipe for the control session") }
        defer { wake.close() }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let thread = Thread {
                    let session = Session(
                        socket: socket, wake: wake.readEnd, deadline: deadline, collector: collector, live: live)
                    continuation.resume(returning: session.run(command: command, environment: environment))
                }
                thread.stackSize = 512 << 10
                thread.start()
            }
        } onCancel: {
            wake.signal()
        }
    }

    /// The self-pipe that wakes a session's `poll` when its task is cancelled.
    private final class WakePipe: Sendable {
        let readEnd: Int32
        private let writeEnd: Mutex<Int32?>

        init?() {
            var fds: [Int32] = [-1, -1]
            guard cPipe2(&fds, O_CLOEXEC | O_NONBLOCK) == 0 else { return nil }
            readEnd = fds[0]
            writeEnd = Mutex(fds[1])
        }

        func signal() {
            writeEnd.withLock { fd in
                guard let fd else { return }
                var byte: UInt8 = 1
                _ = Glibc.write(fd, &byte, 1)
            }
        }

        func close() {
            writeEnd.withLock { fd in
                if let open = fd { _ = Glibc.close(open) }
                fd = nil
            }
            _ = Glibc.close(readEnd)
        }
    }

    private static let hello: UInt32 = 0x0000_0001
    private static let newSession: UInt32 = 0x1000_0002
    private static let permissionDenied: UInt32 = 0x8000_0002
    private static let failure: UInt32 = 0x8000_0003
    private static let exitMessage: UInt32 = 0x8000_0004
    private static let sessionOpened: UInt32 = 0x8000_0006
    private static let protocolVersion: UInt32 = 4
    /// Longest control message accepted from the master (real ones are a few dozen bytes).
    private static let maximumPacket = 256 << 10

    /// One command's session; lives on its own thread.
    private final class Session {
        let socket: String
        let wake: Int32
        let deadline: ContinuousClock.Instant?
        let collector: OutputCollector
        let live: OutputHandler?
        var control: Int32 = -1
        var received: [UInt8] = []

        init(
            socket: String, wake: Int32, deadline: ContinuousClock.Instant?, collector: OutputCollector,
            live: OutputHandler?
        ) {
            self.socket = socket
            self.wake = wake
            self.deadline = deadline
            self.collector = collector
            self.live = live
        }

        enum Stop: Error {
            case outcome(Outcome)
        }

        func run(command: String, environment: [String]) -> Outcome {
            var descriptors: [Int32] = []
            defer {
                for fd in descriptors { _ = Glibc.close(fd) }
                if control >= 0 { _ = Glibc.close(control) }
            }
            do throws(Stop) {
                try connect()
                try send(packet: Self.words([ControlMasterClient.hello, ControlMasterClient.protocolVersion]))
                let greeting = try readPacket()
                guard Self.word(greeting, at: 0) == ControlMasterClient.hello else {
                    return .unavailable("the master did not greet")
                }
                // stdin /dev/null, stdout and stderr pipes: the master gets the ends it needs, we keep the others.
                let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
                var out: [Int32] = [-1, -1]
                var err: [Int32] = [-1, -1]
                guard null >= 0 else { return .unavailable("cannot open /dev/null") }
                descriptors.append(null)
                guard cPipe2(&out, O_CLOEXEC) == 0 else { return .unavailable("no pipe") }
                descriptors += out
                guard cPipe2(&err, O_CLOEXEC) == 0 else { return .unavailable("no pipe") }
                descriptors += err
                var request = Self.words([ControlMasterClient.newSession, 1])
                request += Self.string("")  // reserved
                request += Self.words([0, 0, 0, 0, 0xFFFF_FFFF])  // tty, X11, agent, subsystem, no escape character
                request += Self.string("")  // terminal type
                request += Self.string(command)
                for variable in environment { request += Self.string(variable) }
                try send(packet: request)
                for fd in [null, out[1], err[1]] { try pass(fd) }
                // Only the master holds the write ends now: the pipes end when its session does.
                for fd in [null, out[1], err[1]] { _ = Glibc.close(fd) }
                descriptors = [out[0], err[0]]
                let reply = try readPacket()
                switch Self.word(reply, at: 0) {
                case ControlMasterClient.sessionOpened:
                    break
                case ControlMasterClient.permissionDenied, ControlMasterClient.failure:
                    return .unavailable("the master refused the session")
                default:
                    return .unavailable("unexpected reply from the master")
                }
                return try pump(stdout: out[0], stderr: err[0])
            } catch {
                switch error {
                case .outcome(let outcome): return outcome
                }
            }
        }

        private func connect() throws(Stop) {
            let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw .outcome(.unavailable("socket: \(String(cString: strerror(errno)))")) }
            control = fd
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let path = Array(socket.utf8)
            let capacity = MemoryLayout.size(ofValue: address.sun_path)
            guard path.count < capacity else { throw .outcome(.unavailable("control path too long")) }
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                buffer.copyBytes(from: path)
                buffer[path.count] = 0
            }
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard connected == 0 else {
                throw .outcome(.unavailable("connect: \(String(cString: strerror(errno)))"))
            }
        }

        /// Sends one length-prefixed packet.
        private func send(packet payload: [UInt8]) throws(Stop) {
            var bytes = Self.words([UInt32(payload.count)])
            bytes += payload
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes {
                    Glibc.send(control, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else { throw .outcome(.unavailable("the master closed the control connection")) }
                offset += sent
            }
        }

        /// Passes one descriptor with `SCM_RIGHTS` (one byte of data, as OpenSSH's client sends).
        private func pass(_ descriptor: Int32) throws(Stop) {
            // struct cmsghdr { size_t len; int level; int type; } then the int, padded: CMSG_SPACE(sizeof(int)).
            let header = MemoryLayout<Int>.size + 2 * MemoryLayout<Int32>.size
            let space = header + MemoryLayout<Int>.size
            var control = [UInt8](repeating: 0, count: space)
            control.withUnsafeMutableBytes { raw in
                raw.storeBytes(of: header + MemoryLayout<Int32>.size, toByteOffset: 0, as: Int.self)
                raw.storeBytes(of: Int32(SOL_SOCKET), toByteOffset: MemoryLayout<Int>.size, as: Int32.self)
                // SCM_RIGHTS is 1 on Linux.
                raw.storeBytes(of: Int32(1), toByteOffset: MemoryLayout<Int>.size + 4, as: Int32.self)
                raw.storeBytes(of: descriptor, toByteOffset: header, as: Int32.self)
            }
            var byte: UInt8 = 0
            let sent = withUnsafeMutablePointer(to: &byte) { bytePointer in
                control.withUnsafeMutableBytes { controlBuffer in
                    var vector = iovec(iov_base: UnsafeMutableRawPointer(bytePointer), iov_len: 1)
                    return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                        var message = msghdr()
                        message.msg_iov = vectorPointer
                        message.msg_iovlen = 1
                        message.msg_control = controlBuffer.baseAddress
                        message.msg_controllen = controlBuffer.count
                        return sendmsg(self.control, &message, Int32(MSG_NOSIGNAL))
                    }
                }
            }
            guard sent == 1 else { throw .outcome(.unavailable("cannot pass a descriptor to the master")) }
        }

        /// Milliseconds `poll` may wait, or `nil` once the deadline has passed.
        private func pollTimeout() -> Int32? {
            guard let deadline else { return -1 }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            let (seconds, attoseconds) = left.components
            return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
        }

        /// Reads until one whole control packet is buffered and returns its payload (before the session runs).
        private func readPacket() throws(Stop) -> [UInt8] {
            while true {
                if let packet = try takePacket() { return packet }
                var fds = [
                    pollfd(fd: control, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
                ]
                guard let timeout = pollTimeout() else { throw .outcome(.timedOut) }
                let ready = poll(&fds, 2, timeout)
                if ready < 0 && errno == EINTR { continue }
                guard ready >= 0 else { throw .outcome(.unavailable("poll: \(String(cString: strerror(errno)))")) }
                if fds[1].revents != 0 { throw .outcome(.cancelled) }
                if ready == 0 { continue }
                if fds[0].revents != 0 && !readControl() {
                    throw .outcome(.unavailable("the master closed the control connection"))
                }
            }
        }

        /// Appends what the control socket has; `false` at its end.
        private func readControl() -> Bool {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { Glibc.read(control, $0.baseAddress, $0.count) }
            if count < 0 && (errno == EINTR || errno == EAGAIN) { return true }
            guard count > 0 else { return false }
            received += buffer[..<count]
            return true
        }

        /// The next whole packet's payload, if buffered.
        private func takePacket() throws(Stop) -> [UInt8]? {
            guard received.count >= 4, let length = Self.word(received, at: 0).map(Int.init) else { return nil }
            guard length <= ControlMasterClient.maximumPacket else {
                throw .outcome(.unavailable("oversized message from the master"))
            }
            guard received.count >= 4 + length else { return nil }
            let payload = Array(received[4..<(4 + length)])
            received.removeFirst(4 + length)
            return payload
        }

        /// Moves output from the pipes to the collector until the session is over; the exit status comes on the
        /// control socket.
        private func pump(stdout: Int32, stderr: Int32) throws(Stop) -> Outcome {
            var open: [(fd: Int32, stream: OutputStream)] = [(stdout, .stdout), (stderr, .stderr)]
            var status: Int32?
            var controlOpen = true
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while !open.isEmpty || (controlOpen && status == nil) {
                var fds = open.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
                let controlIndex = fds.count
                let watchesControl = controlOpen && status == nil
                if watchesControl { fds.append(pollfd(fd: control, events: Int16(POLLIN), revents: 0)) }
                fds.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0))
                guard let timeout = pollTimeout() else { return .timedOut }
                let ready = poll(&fds, nfds_t(fds.count), timeout)
                if ready < 0 && errno == EINTR { continue }
                guard ready >= 0 else { return .ended }
                if fds[fds.count - 1].revents != 0 { return .cancelled }
                if ready == 0 { continue }
                var closed: [Int32] = []
                for (index, entry) in open.enumerated() where fds[index].revents != 0 {
                    let count = buffer.withUnsafeMutableBytes { Glibc.read(entry.fd, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 {
                        closed.append(entry.fd)
                        continue
                    }
                    let chunk = Array(buffer[..<count])
                    collector.append(chunk, from: entry.stream)
                    live?(chunk, entry.stream)
                }
                open.removeAll { closed.contains($0.fd) }
                if watchesControl && fds[controlIndex].revents != 0 {
                    controlOpen = readControl()
                    while let packet = try takePacket() {
                        if Self.word(packet, at: 0) == ControlMasterClient.exitMessage,
                            let value = Self.word(packet, at: 8)
                        {
                            status = Int32(bitPattern: value)
                        }
                    }
                }
            }
            return status.map { .exited($0) } ?? .ended
        }

        static func word(_ bytes: [UInt8], at offset: Int) -> UInt32? {
            guard offset >= 0, bytes.count >= offset + 4 else { return nil }
            return bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
        }

        static func words(_ values: [UInt32]) -> [UInt8] {
            values.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        }

        static func string(_ text: String) -> [UInt8] {
            let bytes = Array(text.utf8)
            return words([UInt32(bytes.count)]) + bytes
        }
    }
}
