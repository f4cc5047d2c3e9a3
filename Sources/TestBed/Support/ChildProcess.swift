import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The outcome of a command run to completion by the test bed.
public struct TestBedCommandResult: Sendable, Equatable {
    /// Exit code of the command; `128 + n` when killed by signal `n`.
    public var exitCode: Int32
    /// Everything the command wrote on standard output.
    public var standardOutput: String
    /// Everything the command wrote on standard error.
    public var standardError: String
    /// Wall-clock duration in seconds.
    public var duration: Double
    /// Whether the command was killed because it exceeded its timeout.
    public var timedOut: Bool
}

/// Spawning, waiting for and signalling child processes with posix_spawn.
enum ChildProcess {
    #if canImport(Glibc)
        /// glibc's POSIX_SPAWN_SETSID (declared only under _GNU_SOURCE).
        private static let spawnSetSID: Int32 = 0x80
    #endif

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc >= 2.34's posix_spawn_file_actions_addclosefrom_np, looked up at run time (declared only under
    /// _GNU_SOURCE); without it children inherit descriptors not marked close-on-exec.
    private static let addCloseFrom: AddCloseFrom? = {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
            else { return nil }
            return unsafeBitCast(symbol, to: AddCloseFrom.self)
        #else
            return nil
        #endif
    }()

    /// Decodes a `waitpid` status into an exit code (`128 + signal` for a killed process).
    static func exitCode(fromWaitStatus status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Starts `path` with `arguments` in a new session, standard streams on the given descriptors.
    ///
    /// Signal mask and dispositions are reset and every other descriptor is closed in the child.
    static func spawn(
        _ path: String, _ arguments: [String], stdin: Int32? = nil, stdout: Int32? = nil, stderr: Int32? = nil,
        newSession: Bool = true
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (source, target) in [(stdin, Int32(0)), (stdout, 1), (stderr, 2)] {
            if let source {
                posix_spawn_file_actions_adddup2(&actions, source, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        if let closeFrom = addCloseFrom {
            _ = closeFrom(&actions, 3)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGCHLD, SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        #if canImport(Glibc)
            if newSession { flags |= spawnSetSID }
        #else
            if newSession { flags |= Int32(POSIX_SPAWN_SETPGROUP) }
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw TestBedError.commandFailed(
                command: ([path] + arguments).joined(separator: " "), exitCode: status,
                output: "posix_spawn: \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// Runs `path` to completion, capturing its output, killing it (and its process group) after `timeout` seconds.
    static func run(_ path: String, _ arguments: [String], timeout: Double = 30) throws -> TestBedCommandResult {
        let started = monotonicSeconds()
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0 else { throw posixError("pipe") }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw posixError("pipe")
        }
        let pid: pid_t
        do {
            pid = try spawn(path, arguments, stdout: outPipe[1], stderr: errPipe[1])
        } catch {
            [outPipe[0], outPipe[1], errPipe[0], errPipe[1]].forEach { close($0) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        defer { close(outPipe[0]); close(errPipe[0]) }

        var output = [UInt8]()
        var errors = [UInt8]()
        var open = [true, true]
        var status: Int32 = 0
        var exited = false
        var timedOut = false
        var exitedAt = 0.0
        let deadline = started + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        // Bounded: one iteration per 50 ms poll at most, until the deadline (plus a short drain).
        let maximumIterations = Int(timeout / 0.001) + 1000
        for _ in 0..<maximumIterations {
            var fds = [
                pollfd(fd: open[0] ? outPipe[0] : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: open[1] ? errPipe[0] : -1, events: Int16(POLLIN), revents: 0),
            ]
            _ = poll(&fds, 2, 50)
            for index in 0..<2 where open[index] && fds[index].revents != 0 {
                let count = read(fds[index].fd, &buffer, buffer.count)
                if count > 0 {
                    if index == 0 { output += buffer[0..<count] } else { errors += buffer[0..<count] }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    open[index] = false
                }
            }
            if !exited, waitpid(pid, &status, WNOHANG) == pid {
                exited = true
                exitedAt = monotonicSeconds()
            }
            let now = monotonicSeconds()
            if exited && (!open[0] && !open[1] || now - exitedAt > 1) { break }
            if !exited && now >= deadline {
                timedOut = true
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                exited = true
                break
            }
        }
        if !exited {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            timedOut = true
        }
        return TestBedCommandResult(
            exitCode: exitCode(fromWaitStatus: status),
            standardOutput: String(decoding: output, as: UTF8.self),
            standardError: String(decoding: errors, as: UTF8.self),
            duration: monotonicSeconds() - started,
            timedOut: timedOut)
    }

    /// Runs a command and throws unless it exits with 0 within `timeout` seconds.
    @discardableResult
    static func check(_ path: String, _ arguments: [String], timeout: Double = 30) throws -> TestBedCommandResult {
        let result = try run(path, arguments, timeout: timeout)
        let command = ([path] + arguments).joined(separator: " ")
        if result.timedOut { throw TestBedError.commandTimeout(command: command, seconds: timeout) }
        guard result.exitCode == 0 else {
            throw TestBedError.commandFailed(
                command: command, exitCode: result.exitCode,
                output: (result.standardError + result.standardOutput).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return result
    }

    static func posixError(_ operation: String) -> TestBedError {
        .commandFailed(command: operation, exitCode: errno, output: String(cString: strerror(errno)))
    }
}
