import Foundation

extension Process {
    /// Waits for the process to exit by polling, killing it (SIGKILL) after `timeout` seconds.
    ///
    /// Use this instead of `waitUntilExit()` in tests: on Linux, Foundation's `waitUntilExit()` spins a run loop
    /// that is not safe when several threads wait for different processes at once (it crashed the test runner).
    public func waitForExit(timeout: Double = 30) {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning && Date() < deadline { usleep(10_000) }
        if isRunning { kill(processIdentifier, SIGKILL) }
        // Bounded: a SIGKILLed process is reaped within moments.
        let reapDeadline = Date().addingTimeInterval(10)
        while isRunning && Date() < reapDeadline { usleep(10_000) }
    }
}
