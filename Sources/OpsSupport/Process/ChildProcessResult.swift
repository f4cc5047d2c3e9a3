/// How a ``ChildProcess`` ended and what it printed.
package struct ChildProcessResult: Sendable, Equatable {
    /// How the child ended.
    package enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It exited with this code.
        case exited(Int32)
        /// A signal (this number) killed it.
        case signaled(Int32)

        package var description: String {
            switch self {
            case .exited(let code): "exit code \(code)"
            case .signaled(let number): "killed by signal \(number)"
            }
        }
    }

    /// How the child ended.
    package var termination: Termination
    /// Its standard output (with its standard error when merged), at most the output limit.
    package var standardOutput: [UInt8]
    /// Its standard error (empty when merged into the output), at most the output limit.
    package var standardError: [UInt8]
    /// Whether either stream was longer than the output limit and cut.
    package var truncated: Bool
    /// Whether the timeout stopped the child.
    package var timedOut: Bool
    /// How long it ran.
    package var duration: Duration

    /// Whether it exited with 0 before the timeout.
    package var succeeded: Bool { termination == .exited(0) && !timedOut }

    /// The standard output as UTF-8 text (invalid bytes replaced).
    package var standardOutputText: String { String(decoding: standardOutput, as: UTF8.self) }

    /// The standard error as UTF-8 text (invalid bytes replaced).
    package var standardErrorText: String { String(decoding: standardError, as: UTF8.self) }
}

/// Why a ``ChildProcess`` gave no result.
package struct ChildProcessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    package enum Reason: Sendable, Equatable {
        /// The executable could not be started (not found, not executable, out of descriptors).
        case cannotStart(String)
        /// The calling task was cancelled; the child's process group was stopped.
        case cancelled
    }

    /// The executable that was run.
    package var executable: String
    /// What went wrong.
    package var reason: Reason

    package var description: String {
        switch reason {
        case .cannotStart(let detail): "cannot run \(executable): \(detail)"
        case .cancelled: "\(executable) was interrupted"
        }
    }
}
