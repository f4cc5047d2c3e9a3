import Foundation
import TestBed

extension RunningProcess {
    /// The complete lines printed on standard output so far.
    var lines: [String] {
        var parts = stdout.components(separatedBy: "\n")
        parts.removeLast()
        return parts
    }

    /// Waits (polling, at most `timeout` seconds) for a line after the first `after` lines that satisfies `match`;
    /// returns its index, or `nil`.
    func waitForLine(after: Int = 0, timeout: Double = 60, _ match: (String) -> Bool) async -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let exited = !isRunning
            if exited { try? await Task.sleep(for: .milliseconds(100)) }  // let the reader drain the pipe
            let current = lines
            if current.count > after, let index = current[after...].firstIndex(where: match) { return index }
            if exited { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Waits (at most `timeout` seconds, then kills it) for it to exit, keeping stdin open; returns its status.
    func exitStatus(timeout: Double = 60) async -> Int32 {
        await finish(timeout: timeout, closingInput: false).status
    }
}
