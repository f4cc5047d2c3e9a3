import Foundation
import TestBed
import Synchronization

/// A child process whose output is collected in the background, so tests can wait for a line, send a signal, and
/// bound every wait. Killed by PID when the test is done with it.
final class ChildProcess: @unchecked Sendable {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    private let process: Process
    private let stdoutBuffer = SharedData()
    private let stderrBuffer = SharedData()
    private let input: Pipe

    init(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let stdout = Pipe()
        let stderr = Pipe()
        input = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input
        try process.run()
        let outBuffer = stdoutBuffer
        let errBuffer = stderrBuffer
        Thread.detachNewThread {
            while true {
                let data = stdout.fileHandleForReading.availableData
                if data.isEmpty { break }
                outBuffer.append(data)
            }
        }
        Thread.detachNewThread {
            while true {
                let data = stderr.fileHandleForReading.availableData
                if data.isEmpty { break }
                errBuffer.append(data)
            }
        }
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { String(decoding: stdoutBuffer.data, as: UTF8.self) }
    var stderr: String { String(decoding: stderrBuffer.data, as: UTF8.self) }

    /// Sends text to the child's stdin.
    func send(_ text: String) {
        input.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Closes the child's stdin.
    func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// Waits until stdout+stderr contain `text`; false after `timeout` seconds. Sleeps without holding a thread
    /// of the cooperative pool (a 2-core machine has only 2, and other tests' heartbeats need them).
    func waitFor(_ text: String, timeout: Double = 30) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stdout.contains(text) || stderr.contains(text) { return true }
            if !process.isRunning { return stdout.contains(text) || stderr.contains(text) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for the exit (killing the child after `timeout` seconds) and returns what it printed.
    func finish(timeout: Double = 120) async -> Output {
        closeInput()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        // Polling, not waitUntilExit(): see TestBed's Process.waitForExit.
        let reapDeadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < reapDeadline { try? await Task.sleep(for: .milliseconds(20)) }
        try? await Task.sleep(for: .milliseconds(50))
        return Output(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}


/// Bytes appended by one thread and read by another.
final class SharedData: Sendable {
    private let storage = Mutex(Data())

    var data: Data { storage.withLock { $0 } }

    func append(_ more: Data) { storage.withLock { $0.append(more) } }
}
