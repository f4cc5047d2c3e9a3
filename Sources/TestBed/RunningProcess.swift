import Foundation
import Synchronization

/// A child process whose output is collected in the background, so tests can wait for a line, write to its
/// standard input, send a signal, and bound every wait. Killed by PID when the test is done with it.
public final class RunningProcess: @unchecked Sendable {
    /// What the process printed, and how it ended.
    public struct Output: Sendable {
        /// The exit status (`terminationStatus`).
        public var status: Int32
        /// Everything written on standard output.
        public var stdout: String
        /// Everything written on standard error.
        public var stderr: String
    }

    // Process is not Sendable; it is only read (isRunning, terminationStatus, processIdentifier) after `run()`.
    private let process: Process
    private let stdoutBuffer = SharedBytes()
    private let stderrBuffer = SharedBytes()
    private let input: Pipe

    /// Starts `path` with `arguments`, with pipes for the three standard streams.
    /// - Parameters:
    ///   - environment: the whole environment, or `nil` for this process's.
    ///   - currentDirectory: the working directory, or `nil` for this process's.
    public init(
        _ path: String, _ arguments: [String], environment: [String: String]? = nil, currentDirectory: String? = nil
    ) throws {
        ignoreBrokenPipes()
        process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let stdout = Pipe()
        let stderr = Pipe()
        input = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input
        try process.run()
        for (pipe, buffer) in [(stdout, stdoutBuffer), (stderr, stderrBuffer)] {
            Thread.detachNewThread {
                while true {
                    let data = pipe.fileHandleForReading.availableData
                    if data.isEmpty { break }
                    buffer.append(data)
                }
            }
        }
    }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }
    /// Whether it still runs.
    public var isRunning: Bool { process.isRunning }
    /// Standard output so far.
    public var stdout: String { String(decoding: stdoutBuffer.data, as: UTF8.self) }
    /// Standard error so far.
    public var stderr: String { String(decoding: stderrBuffer.data, as: UTF8.self) }

    /// Sends text to the child's stdin.
    public func send(_ text: String) {
        try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    /// Closes the child's stdin.
    public func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// Waits until stdout+stderr contain `text`; false after `timeout` seconds. Sleeps without holding a thread
    /// of the cooperative pool (a 2-core machine has only 2, and other tests' heartbeats need them).
    public func waitFor(_ text: String, timeout: Double = 30) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stdout.contains(text) || stderr.contains(text) { return true }
            if !process.isRunning { return stdout.contains(text) || stderr.contains(text) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Sends signal `number` to the child.
    public func signal(_ number: Int32) {
        Foundation.kill(process.processIdentifier, number)
    }

    /// Kills the child (SIGKILL) if it still runs; for a `defer`.
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the exit (killing the child after `timeout` seconds) and returns what it printed. Closes stdin
    /// first unless `closingInput` is false.
    public func finish(timeout: Double = 120, closingInput: Bool = true) async -> Output {
        if closingInput { closeInput() }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        kill()
        // Polling, not waitUntilExit(): see Process.waitForExit.
        let reapDeadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < reapDeadline { try? await Task.sleep(for: .milliseconds(20)) }
        try? await Task.sleep(for: .milliseconds(50))
        return Output(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}

/// Bytes appended by one thread and read by another.
final class SharedBytes: Sendable {
    private let storage = Mutex(Data())

    var data: Data { storage.withLock { $0 } }

    func append(_ more: Data) { storage.withLock { $0.append(more) } }
}
