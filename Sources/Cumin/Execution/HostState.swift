/// Where one host stands in an execution.
///
/// `pending → scheduled → running → success | failed | timeout`; in sync mode a host that succeeded one
/// command goes back to `pending` for the next one. `failed` and `timeout` are final.
public enum HostState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Not yet handed to the transport.
    case pending
    /// Committed to run: it will start as soon as a connection slot is free.
    case scheduled
    /// A command is running on it.
    case running
    /// The last command it ran succeeded.
    case success
    /// A command failed (exit code not accepted, connection error, or interrupted).
    case failed
    /// A command ran past its timeout, or was running when the global timeout expired.
    case timeout

    /// The state name, as cumin prints it (`failed`, `timeout`, ...).
    public var description: String { rawValue }

    var index: Int {
        switch self {
        case .pending: 0
        case .scheduled: 1
        case .running: 2
        case .success: 3
        case .failed: 4
        case .timeout: 5
        }
    }
}
