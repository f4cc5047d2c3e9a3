/// How commands run across hosts: cumin's `-m`, `-b`, `-s`, `-p` and `--global-timeout`.
public struct ExecutionOptions: Sendable, Hashable {
    /// How commands are sequenced across hosts.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Command k runs on the hosts that succeeded command k-1; the threshold is checked between commands.
        case sync
        /// Each host runs the whole list on its own and stops at its first failure.
        case async
    }

    /// The sequencing mode (default ``Mode/sync``).
    public var mode: Mode = .sync
    /// The sliding window of hosts in flight; `nil` means all hosts (still capped by the transport's fanout).
    public var batchSize: BatchSize?
    /// Seconds to wait after a host finishes before the next pending host starts.
    public var batchSleep: Duration = .zero
    /// The fraction (0...1) of hosts that must succeed; below it no new host starts and sync mode aborts.
    public var successThreshold: Double = 1.0
    /// The time allowed for the whole run; hosts still running are marked timed out, pending ones never start.
    public var globalTimeout: Duration?

    /// Creates options; every parameter defaults to cumin's default.
    public init(
        mode: Mode = .sync, batchSize: BatchSize? = nil, batchSleep: Duration = .zero,
        successThreshold: Double = 1.0, globalTimeout: Duration? = nil
    ) {
        self.mode = mode
        self.batchSize = batchSize
        self.batchSleep = batchSleep
        self.successThreshold = successThreshold
        self.globalTimeout = globalTimeout
    }
}
