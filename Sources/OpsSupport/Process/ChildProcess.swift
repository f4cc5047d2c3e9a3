import Subprocess
import Synchronization

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One run of a child process: an executable and its argument vector (never a shell command line), optional
/// standard input, standard output and error captured up to a bound, and an optional timeout.
///
/// The child runs in a process group of its own. On timeout or when the calling task is cancelled the group gets
/// SIGINT, then SIGKILL after ``interruptGrace``; whatever is left of the group (children that ignore SIGINT, or
/// that kept the pipes open) gets SIGKILL before ``run()`` returns.
/// ```swift
/// let result = try await ChildProcess("/usr/bin/git", ["-C", directory, "rev-parse", "HEAD"]).run()
/// guard result.succeeded else { throw ... result.standardErrorText }
/// ```
package struct ChildProcess: Sendable {
    /// The executable: a path, or a name looked up in `PATH`.
    package var executable: String
    /// The arguments after the executable's name.
    package var arguments: [String]
    /// The child's environment; `nil` inherits this process's.
    package var environment: [String: String]?
    /// The child's working directory; `nil` keeps this process's.
    package var workingDirectory: String?
    /// Bytes written to the child's standard input, which is then closed; `nil` gives it `/dev/null`.
    package var standardInput: [UInt8]?
    /// Standard error goes into the standard output pipe, interleaved as the child writes (`2>&1`).
    package var mergeStandardError = false
    /// The most bytes kept of each stream; the rest is read and dropped (``ChildProcessResult/truncated``).
    package var outputLimit = 16 << 20
    /// How long the child may run before its group is interrupted; `nil` for no limit.
    package var timeout: Duration?
    /// How long an interrupted group has to exit after SIGINT before SIGKILL.
    package var interruptGrace: Duration = .seconds(2)

    /// A run of `executable` with `arguments`.
    package init(_ executable: String, _ arguments: [String] = []) {
        self.executable = executable
        self.arguments = arguments
    }

    /// Runs the child to its end and returns how it ended and what it printed.
    /// - Throws: ``ChildProcessError`` when it cannot be started, or when the calling task was cancelled (after
    ///   the child's group was stopped).
    package func run() async throws(ChildProcessError) -> ChildProcessResult {
        let start = ContinuousClock.now
        let collected = Collected(limit: outputLimit)
        let timedOut: Bool
        let status: TerminationStatus
        do {
            switch (standardInput, mergeStandardError) {
            case (nil, false):
                (status, timedOut) = try await launch(input: .none, error: .sequence, collected) { $0.standardError }
            case (nil, true):
                (status, timedOut) = try await launch(input: .none, error: .combinedWithOutput, collected) { _ in nil }
            case (let bytes?, false):
                (status, timedOut) = try await launch(input: .array(bytes), error: .sequence, collected) {
                    $0.standardError
                }
            case (let bytes?, true):
                (status, timedOut) = try await launch(input: .array(bytes), error: .combinedWithOutput, collected) {
                    _ in nil
                }
            }
        } catch let error as SubprocessError {
            if Task.isCancelled { throw ChildProcessError(executable: executable, reason: .cancelled) }
            throw ChildProcessError(executable: executable, reason: .cannotStart(String(describing: error)))
        } catch {
            if Task.isCancelled { throw ChildProcessError(executable: executable, reason: .cancelled) }
            throw ChildProcessError(executable: executable, reason: .cannotStart(String(describing: error)))
        }
        if Task.isCancelled && !timedOut { throw ChildProcessError(executable: executable, reason: .cancelled) }
        let termination: ChildProcessResult.Termination =
            switch status {
            case .exited(let code): .exited(code)
            case .signaled(let number): .signaled(number)
            }
        let (output, error, truncated) = collected.take()
        return ChildProcessResult(
            termination: termination, standardOutput: output, standardError: error, truncated: truncated,
            timedOut: timedOut, duration: ContinuousClock.now - start)
    }

    private var platformOptions: PlatformOptions {
        var options = PlatformOptions()
        options.processGroupID = 0
        options.teardownSequence = [
            .send(signal: .interrupt, toProcessGroup: true, allowedDurationToNextStep: interruptGrace)
        ]
        return options
    }

    private var subprocessExecutable: Executable {
        executable.contains("/") ? .path(FilePath(executable)) : .name(executable)
    }

    private var subprocessEnvironment: Environment {
        guard let environment else { return .inherit }
        var custom: [Environment.Key: String] = [:]
        for (key, value) in environment { custom[Environment.Key(stringLiteral: key)] = value }
        return .custom(custom)
    }

    /// Starts the child, drains its streams into `collected` and enforces the timeout. Returns how it ended and
    /// whether the timeout stopped it.
    private func launch<Input: InputProtocol, ErrorOutput: ErrorOutputProtocol>(
        input: Input, error: ErrorOutput, _ collected: Collected,
        standardError: (Execution<Input, SequenceOutput, ErrorOutput>) -> SubprocessOutputSequence?
    ) async throws -> (TerminationStatus, Bool) {
        let steps = platformOptions.teardownSequence
        let timeout = self.timeout
        let result = try await Subprocess.run(
            subprocessExecutable, arguments: Arguments(arguments), environment: subprocessEnvironment,
            workingDirectory: workingDirectory.map { FilePath($0) }, platformOptions: platformOptions,
            input: input, output: .sequence, error: error
        ) { execution in
            let streams = [(false, execution.standardOutput)] + (standardError(execution).map { [(true, $0)] } ?? [])
            let timedOut = await withTaskGroup(of: Bool.self) { group in
                for (isError, stream) in streams {
                    group.addTask {
                        do {
                            for try await buffer in stream {
                                buffer.withUnsafeBytes { collected.append($0, toError: isError) }
                            }
                        } catch {
                            // The child is gone or was killed: what was read is all there is.
                        }
                        return false
                    }
                }
                if let timeout {
                    group.addTask {
                        do {
                            try await Task.sleep(for: timeout)
                        } catch {
                            return false
                        }
                        collected.markTimedOut()
                        await execution.teardown(using: steps)
                        return true
                    }
                }
                var open = streams.count
                while open > 0, let fired = await group.next() {
                    if !fired { open -= 1 }
                }
                group.cancelAll()
                return collected.timedOut
            }
            if timedOut || Task.isCancelled {
                // The child itself has exited (its streams ended) but is not reaped yet, so its process group id
                // cannot have been reused: stop what is left of the group.
                try? execution.send(signal: .kill, toProcessGroup: true)
            }
            return timedOut
        }
        return (result.terminationStatus, result.closureResult)
    }
}

/// The bounded output of one child.
private final class Collected: Sendable {
    private struct Buffers {
        var output: [UInt8] = []
        var error: [UInt8] = []
        var truncated = false
        var timedOut = false
    }

    private let limit: Int
    private let buffers = Mutex(Buffers())

    init(limit: Int) { self.limit = max(limit, 0) }

    func append(_ bytes: UnsafeRawBufferPointer, toError: Bool) {
        buffers.withLock { buffers in
            let current = toError ? buffers.error.count : buffers.output.count
            let room = max(limit - current, 0)
            if bytes.count > room { buffers.truncated = true }
            let kept = bytes.prefix(room)
            if toError { buffers.error.append(contentsOf: kept) } else { buffers.output.append(contentsOf: kept) }
        }
    }

    /// Set by the timer before it stops the child, so a child that dies at once still counts as timed out.
    func markTimedOut() { buffers.withLock { $0.timedOut = true } }

    var timedOut: Bool { buffers.withLock { $0.timedOut } }

    func take() -> ([UInt8], [UInt8], Bool) {
        buffers.withLock { ($0.output, $0.error, $0.truncated) }
    }
}
