import Subprocess
import Synchronization

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// One long-lived `ssh HOST 'exec /bin/sh'` that runs commands one after another over the same connection and
/// the same SSH session: no new `ssh` process, handshake or remote session per command.
///
/// Each command runs as `"$SHELL" -c COMMAND </dev/null`, as sshd would run it, in the session's environment.
/// Its end is recognised by a random marker that the remote shell prints after it on stdout (with the exit
/// code) and on stderr; command output cannot forge a marker it does not know.
final class RemoteShellSession: Sendable {
    /// What one command produced.
    struct Reply: Sendable {
        var exitCode: Int32?
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var combined: [UInt8] = []
        /// The session ended before the command completed (connection failure, kill, remote shell exit).
        var sessionEnded = false
        /// The command produced more output than the session keeps, so the session was killed.
        var outputLimitExceeded = false
    }

    private struct Pending {
        var continuation: CheckedContinuation<Reply, Never>
        var live: OutputHandler?
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        /// Arrival order of the chunks, to rebuild the interleaved output without the markers.
        var arrivals: [(stream: OutputStream, count: Int)] = []
        var stdoutEnd: Int?
        var stderrEnd: Int?
        var exitCode: Int32?
        var liveStdout = 0
        var liveStderr = 0
        var overflowed = false
    }

    private struct State {
        var pending: Pending?
        var alive = true
        /// Output that arrived while no command was pending (e.g. ssh warnings before the first command):
        /// it belongs to the next command, as it would with a plain `ssh HOST COMMAND`.
        var early: [(stream: OutputStream, bytes: [UInt8])] = []
    }

    private let state = Mutex(State())
    private let requests: AsyncStream<String>.Continuation
    private let driver: Mutex<Task<Void, Never>?> = Mutex(nil)
    private let stdoutMarker: [UInt8]
    private let stderrMarker: [UInt8]
    private let nonce: String
    /// Bytes one command may produce (both streams); past it the session is killed and the command fails.
    private let outputLimit: Int
    /// Whether each command's standard error is sent into its standard output on the host (`2>&1`).
    private let mergeStandardError: Bool

    /// Starts `ssh` with `arguments` (which must end with the host and the remote command `exec /bin/sh`).
    init(sshPath: String, arguments: [String], environment: Environment, outputLimit: Int, mergeStandardError: Bool = false) {
        self.outputLimit = outputLimit
        self.mergeStandardError = mergeStandardError
        var generator = SystemRandomNumberGenerator()
        nonce = "__cumin_" + (0..<4).map { _ in String(generator.next() as UInt32, radix: 16) }.joined()
        stdoutMarker = Array("\n\(nonce):".utf8)
        stderrMarker = Array("\n\(nonce)\n".utf8)
        let (stream, continuation) = AsyncStream<String>.makeStream()
        requests = continuation
        let task = Task { [self] in
            await self.drive(sshPath: sshPath, arguments: arguments, environment: environment, scripts: stream)
        }
        driver.withLock { $0 = task }
    }

    /// Whether the session can still run commands.
    var isAlive: Bool { state.withLock { $0.alive } }

    /// Runs one command and waits for its end; cancelling the caller kills the session.
    func run(_ command: String, live: OutputHandler?) async -> Reply {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Reply, Never>) in
                let accepted = state.withLock { state -> Bool in
                    guard state.alive, state.pending == nil else { return false }
                    var pending = Pending(continuation: continuation, live: live)
                    for (stream, bytes) in state.early {
                        pending.arrivals.append((stream, bytes.count))
                        if stream == .stdout { pending.stdout += bytes } else { pending.stderr += bytes }
                    }
                    state.early.removeAll()
                    state.pending = pending
                    return true
                }
                guard accepted else {
                    continuation.resume(returning: Reply(sessionEnded: true))
                    return
                }
                requests.yield(script(for: command))
            }
        } onCancel: {
            terminate()
        }
    }

    /// Kills the session at once.
    func terminate() {
        requests.finish()
        driver.withLock { $0?.cancel() }
    }

    /// Ends the session cleanly (the remote shell reads end of input) and waits for it, at most `timeout`.
    func close(timeout: Duration = .seconds(5)) async {
        requests.finish()
        guard let task = driver.withLock({ $0 }) else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await task.value }
            group.addTask {
                try? await Task.sleep(for: timeout)
                task.cancel()
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// The shell code that runs `command` and prints the markers.
    private func script(for command: String) -> String {
        let quoted = shellSingleQuoted(command)
        let redirections = mergeStandardError ? "</dev/null 2>&1" : "</dev/null"
        return "\"${SHELL:-/bin/sh}\" -c \(quoted) \(redirections); __cumin_rc=$?; "
            + "printf '\\n%s:%s\\n' '\(nonce)' \"$__cumin_rc\"; printf '\\n%s\\n' '\(nonce)' >&2\n"
    }

    // MARK: - Driving the ssh process

    private func drive(sshPath: String, arguments: [String], environment: Environment, scripts: AsyncStream<String>)
        async
    {
        var exitCode: Int32?
        do {
            let result = try await Subprocess.run(
                .path(FilePath(sshPath)), arguments: Arguments(arguments), environment: environment,
                input: .inputWriter, output: .sequence, error: .sequence
            ) { execution in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        await withTaskGroup(of: Void.self) { readers in
                            readers.addTask {
                                await execution.standardOutput.forEachChunk { self.feed($0, from: .stdout) }
                            }
                            readers.addTask {
                                await execution.standardError.forEachChunk { self.feed($0, from: .stderr) }
                            }
                        }
                        // Both streams closed: the remote shell is gone, so stop waiting for commands to send.
                        self.requests.finish()
                    }
                    group.addTask {
                        for await script in scripts {
                            do {
                                _ = try await execution.standardInputWriter.write(script)
                            } catch {
                                break
                            }
                        }
                        try? await execution.standardInputWriter.finish()
                    }
                    await group.waitForAll()
                }
            }
            if case .exited(let code) = result.terminationStatus { exitCode = code }
        } catch {
            // Could not start ssh, or killed by cancellation: the pending command ends without an exit code.
        }
        end(exitCode: exitCode)
    }

    /// Marks the session dead and completes a pending command with what it produced.
    private func end(exitCode: Int32?) {
        let finished = state.withLock { state -> (CheckedContinuation<Reply, Never>, Reply)? in
            state.alive = false
            guard let pending = state.pending else { return nil }
            state.pending = nil
            var reply = Self.reply(from: pending, stdoutEnd: pending.stdout.count, stderrEnd: pending.stderr.count)
            reply.exitCode = pending.overflowed ? nil : exitCode
            reply.sessionEnded = true
            reply.outputLimitExceeded = pending.overflowed
            return (pending.continuation, reply)
        }
        if let (continuation, reply) = finished { continuation.resume(returning: reply) }
    }

    private func feed(_ chunk: [UInt8], from stream: OutputStream) {
        var liveChunk: [UInt8] = []
        var live: OutputHandler?
        var overflow = false
        let finished = state.withLock { state -> (CheckedContinuation<Reply, Never>, Reply)? in
            guard var pending = state.pending else {
                if state.early.reduce(0, { $0 + $1.bytes.count }) < 65_536 { state.early.append((stream, chunk)) }
                return nil
            }
            live = pending.live
            pending.arrivals.append((stream, chunk.count))
            switch stream {
            case .stdout:
                let searchFrom = max(0, pending.stdout.count - stdoutMarker.count - 12)
                pending.stdout += chunk
                if pending.stdoutEnd == nil, let (end, code) = findStdoutMarker(in: pending.stdout, from: searchFrom) {
                    pending.stdoutEnd = end
                    pending.exitCode = code
                }
                if live != nil {
                    let limit = pending.stdoutEnd ?? max(0, pending.stdout.count - stdoutMarker.count - 12)
                    if limit > pending.liveStdout {
                        liveChunk = Array(pending.stdout[pending.liveStdout..<limit])
                        pending.liveStdout = limit
                    }
                }
            case .stderr:
                let searchFrom = max(0, pending.stderr.count - stderrMarker.count)
                pending.stderr += chunk
                if pending.stderrEnd == nil, let end = find(stderrMarker, in: pending.stderr, from: searchFrom) {
                    pending.stderrEnd = end
                }
                if live != nil {
                    let limit = pending.stderrEnd ?? max(0, pending.stderr.count - stderrMarker.count)
                    if limit > pending.liveStderr {
                        liveChunk = Array(pending.stderr[pending.liveStderr..<limit])
                        pending.liveStderr = limit
                    }
                }
            }
            // The bound applies to what the command wrote (up to the markers), checked before completing: the
            // whole output and both markers may arrive in one chunk. An overflowed command completes only when the
            // session ends (see `end`), never with an exit code.
            let produced = (pending.stdoutEnd ?? pending.stdout.count) + (pending.stderrEnd ?? pending.stderr.count)
            if !pending.overflowed, produced > outputLimit {
                pending.overflowed = true
                overflow = true
            }
            guard !pending.overflowed, let stdoutEnd = pending.stdoutEnd, let stderrEnd = pending.stderrEnd else {
                state.pending = pending
                return nil
            }
            state.pending = nil
            var reply = Self.reply(from: pending, stdoutEnd: stdoutEnd, stderrEnd: stderrEnd)
            reply.exitCode = pending.exitCode
            return (pending.continuation, reply)
        }
        if !liveChunk.isEmpty { live?(liveChunk, stream) }
        if let (continuation, reply) = finished { continuation.resume(returning: reply) }
        if overflow { terminate() }
    }

    /// The stdout marker `\n<nonce>:<code>\n`: where the command's output ends, and the exit code.
    private func findStdoutMarker(in bytes: [UInt8], from start: Int) -> (Int, Int32)? {
        guard let end = find(stdoutMarker, in: bytes, from: start) else { return nil }
        var index = end + stdoutMarker.count
        var code: Int32 = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39, digits < 4 {
            code = code * 10 + Int32(bytes[index] - 0x30)
            index += 1
            digits += 1
        }
        guard digits > 0, index < bytes.count, bytes[index] == UInt8(ascii: "\n") else { return nil }
        return (end, code)
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, let first = needle.first else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }

    /// The reply for `pending`, streams cut at the markers and the interleaving rebuilt without them.
    private static func reply(from pending: Pending, stdoutEnd: Int, stderrEnd: Int) -> Reply {
        var reply = Reply()
        reply.stdout = Array(pending.stdout[..<stdoutEnd])
        reply.stderr = Array(pending.stderr[..<stderrEnd])
        var stdoutOffset = 0
        var stderrOffset = 0
        for arrival in pending.arrivals {
            switch arrival.stream {
            case .stdout:
                let upper = min(stdoutOffset + arrival.count, stdoutEnd)
                if upper > stdoutOffset { reply.combined += pending.stdout[stdoutOffset..<upper] }
                stdoutOffset += arrival.count
            case .stderr:
                let upper = min(stderrOffset + arrival.count, stderrEnd)
                if upper > stderrOffset { reply.combined += pending.stderr[stderrOffset..<upper] }
                stderrOffset += arrival.count
            }
        }
        return reply
    }
}
