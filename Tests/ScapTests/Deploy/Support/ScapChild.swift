import Foundation
import TestBed
import Synchronization

/// A running `scap` child with piped standard input and output, read line by line in the background, for tests
/// that answer prompts or interrupt it. Killed by PID when the test is done.
final class ScapChild: Sendable {
    private let process: Process
    private let input: FileHandle
    private final class Shared<Value: Sendable>: Sendable {
        let mutex: Mutex<Value>
        init(_ value: Value) { mutex = Mutex(value) }
        func withLock<R>(_ body: (inout sending Value) -> R) -> R { mutex.withLock { body(&$0) } }
    }
    private let output = Shared<(lines: [String], partial: String, closed: Bool)>(([], "", false))
    private let errors = Shared("")

    /// Starts `path` with `arguments` in `directory`, with `environment` added to this process's.
    init(_ path: String, _ arguments: [String], directory: String, environment: [String: String] = [:]) throws {
        ignoreBrokenPipes()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        self.process = process
        self.input = stdin.fileHandleForWriting
        let output = self.output
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            output.withLock { state in
                guard !data.isEmpty else {
                    state.closed = true
                    handle.readabilityHandler = nil
                    return
                }
                let text = state.partial + String(decoding: data, as: UTF8.self)
                var parts = text.components(separatedBy: "\n")
                state.partial = parts.removeLast()
                state.lines += parts
            }
        }
        let errors = self.errors
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            errors.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
    }

    deinit { kill() }

    /// Every complete line printed so far.
    var lines: [String] { output.withLock { $0.lines } }
    /// Standard error so far.
    var standardError: String { errors.withLock { $0 } }

    /// Waits (polling, at most `timeout` seconds) for a line after the first `after` lines that satisfies `match`;
    /// returns its index, or `nil`.
    func waitForLine(after: Int = 0, timeout: Double = 60, _ match: (String) -> Bool) async -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let current = lines
            if current.count > after, let index = current[after...].firstIndex(where: match) { return index }
            if !process.isRunning, output.withLock({ $0.closed }) { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Writes `line` and a newline to its standard input.
    func send(_ line: String) {
        try? input.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Sends `signal` (SIGINT by default).
    func signal(_ number: Int32 = SIGINT) {
        if process.isRunning { Foundation.kill(process.processIdentifier, number) }
    }

    /// Waits (polling, at most `timeout` seconds) for it to exit; returns its status, or `nil` if it is still running.
    func exitStatus(timeout: Double = 60) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning else { return nil }
        // Let the reader collect what was still in the pipe.
        for _ in 0..<40 where !output.withLock({ $0.closed }) { try? await Task.sleep(for: .milliseconds(25)) }
        return process.terminationStatus
    }

    /// Kills it (SIGKILL) if it still runs.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}
