/// The outcome of a whole execution; its raw value is cumin's process exit code.
public enum ExecutionStatus: Int32, Sendable, Hashable, CustomStringConvertible {
    /// Every host ran every command successfully (exit code 0).
    case succeeded = 0
    /// Some hosts failed but the success threshold was met (exit code 1).
    case completedWithFailures = 1
    /// The success threshold was not met, or the run was aborted (exit code 2).
    case failed = 2
    /// The global timeout expired before the run completed (reported with exit code 2, as cumin does).
    case timedOut = 4
    /// The run was interrupted, e.g. by Ctrl-C (exit code 98 in the CLI).
    case interrupted = 5

    /// The exit code the `cumin` CLI uses for this status.
    public var exitCode: Int32 {
        switch self {
        case .succeeded: 0
        case .completedWithFailures: 1
        case .failed, .timedOut: 2
        case .interrupted: 98
        }
    }

    /// The status in words, e.g. `completed with failures`.
    public var description: String {
        switch self {
        case .succeeded: "succeeded"
        case .completedWithFailures: "completed with failures"
        case .failed: "failed"
        case .timedOut: "timed out"
        case .interrupted: "interrupted"
        }
    }
}
