import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child started from an argument vector (never a shell) in its own process group, with standard input a pipe
/// and standard output and error merged into one pipe read line by line.
public final class JobProcess: Sendable {
    /// The child's pid, also its process group id.
    public let pid: pid_t
    /// The child's start time in clock ticks since boot (from /proc), to recognise it after a restart.
    public let startTime: Int64?
    /// Output lines (without newline; a line longer than 64 KiB is cut into pieces) not taken yet: see
    /// ``nextLines()``.
    private let output: LineQueue
    private let stdinFD: Int32

    /// A spawn that failed.
    public struct SpawnError: Error, CustomStringConvertible {
        /// What failed.
        public var description: String
    }

    /// Starts `executable` with `arguments` in `directory` with exactly `environment`.
    public init(executable: String, arguments: [String], directory: String, environment: [String: String]) throws {
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        guard pipe(&input) == 0 else { throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&output) == 0 else {
            close(input[0])
            close(input[1])
            throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        // Close-on-exec, so no other child inherits them (the runner spawns one child at a time).
        for descriptor in input + output { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, output[1], 2)
        guard let addChdir = Self.addChdir else {
            close(input[0]); close(input[1]); close(output[0]); close(output[1])
            throw SpawnError(description: "this C library has no posix_spawn_file_actions_addchdir_np")
        }
        _ = addChdir(&actions, directory)
        // Nothing of the server's but the three pipes: no sockets (a job holding a client's connection would keep it
        // open after the server closed it, and outlive a crashed server with it), no database files.
        if let closeFrom = Self.addCloseFrom {
            _ = closeFrom(&actions, 3)
        } else {
            for descriptor in Self.openDescriptors() where descriptor > 2 {
                posix_spawn_file_actions_addclose(&actions, descriptor)
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        close(input[0])
        close(output[1])
        guard status == 0 else {
            close(input[1])
            close(output[0])
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        stdinFD = input[1]
        startTime = Self.startTime(of: child)
        let readFD = output[0]
        let queue = LineQueue()
        self.output = queue
        Thread.detachNewThread {
            var pending = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 65536)
            let limit = 65536
            while true {
                let count = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, 65536) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                var start = 0
                var batch: [String] = []
                while let newline = pending[start...].firstIndex(of: 10) {
                    batch.append(String(decoding: pending[start..<newline], as: UTF8.self))
                    start = newline + 1
                }
                pending.removeFirst(start)
                while pending.count > limit {
                    batch.append(String(decoding: pending[0..<limit], as: UTF8.self))
                    pending.removeFirst(limit)
                }
                // Blocks while the runner is far behind: the pipe fills and the child waits on its writes.
                if !batch.isEmpty { queue.put(batch) }
            }
            if !pending.isEmpty { queue.put([String(decoding: pending, as: UTF8.self)]) }
            close(readFD)
            queue.finish()
        }
    }

    /// Every output line read and not taken yet, at least one (waits for it); nil when the output ended and all
    /// lines were taken. Taking all at once batches a fast job's lines by itself: the slower the runner, the bigger
    /// the batches, and memory stays bounded (the reader stops reading past ``LineQueue/limit`` bytes).
    public func nextLines() async -> [String]? { await output.next() }

    /// The lines read and not taken yet, without waiting (maybe none).
    public func pendingLines() -> [String] { output.takeAll() }

    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), which Swift's Glibc module does not export.
    private static let addChdir: AddChdir? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+): closes every descriptor from the given one on.
    private static let addCloseFrom: AddCloseFrom? = {
        let name = "posix_spawn_file_actions_addclosefrom_np"
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// This process's open descriptors (from /proc/self/fd), for C libraries without closefrom.
    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }

    /// Writes `text` to the child's standard input; false if it is gone.
    @discardableResult public func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// Closes the child's standard input.
    public func closeInput() { close(stdinFD) }

    /// Sends `signal` to the child's whole process group.
    public func signalGroup(_ signal: Int32) { kill(-pid, signal) }

    /// Waits for the child to exit: its exit status, or minus the signal that killed it.
    public func wait() async -> Int32 {
        let pid = self.pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                let signal = status & 0x7f
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : -signal)
            }
        }
    }

    /// The start time (field 22 of /proc/PID/stat) of `pid`, if it exists.
    public static func startTime(of pid: pid_t) -> Int64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, so starttime (22) is index 19.
        return fields.count > 19 ? Int64(fields[19]) : nil
    }
}

/// The lines between a child's reader thread and the job runner: the reader puts, blocking while more than
/// ``limit`` bytes wait; the runner takes everything at once.
final class LineQueue: Sendable {
    /// Bytes of lines that may wait before the reader blocks.
    static let limit = 4 << 20

    private struct State {
        var lines: [String] = []
        var bytes = 0
        var finished = false
        var waiter: CheckedContinuation<[String]?, Never>?
        var readerBlocked = false
    }
    private let state = Mutex(State())
    private let room = DispatchSemaphore(value: 0)

    /// Adds lines (reader thread); blocks while the queue is over its limit.
    func put(_ batch: [String]) {
        let size = batch.reduce(0) { $0 + $1.utf8.count + 1 }
        let (waiter, block) = state.withLock { state -> (CheckedContinuation<[String]?, Never>?, Bool) in
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, false)
            }
            state.lines += batch
            state.bytes += size
            state.readerBlocked = state.bytes > Self.limit
            return (nil, state.readerBlocked)
        }
        waiter?.resume(returning: batch)
        if block { room.wait() }
    }

    /// The end of the output (reader thread).
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[String]?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Everything waiting, or the next batch put; nil at the end.
    func next() async -> [String]? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [String]?? in
                if !state.lines.isEmpty { return .some(Self.drain(&state, room)) }
                if state.finished { return .some(nil) }
                state.waiter = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Everything waiting (maybe nothing), without waiting.
    func takeAll() -> [String] { state.withLock { Self.drain(&$0, room) } }

    private static func drain(_ state: inout State, _ room: DispatchSemaphore) -> [String] {
        let lines = state.lines
        state.lines = []
        state.bytes = 0
        if state.readerBlocked {
            state.readerBlocked = false
            room.signal()
        }
        return lines
    }
}
