/// What one stage did on one (sub)group.
public struct DeployStageReport: Sendable, Equatable {
    /// The group name (`canary`, `default`, …).
    public var group: String
    /// The subgroup label (`canary`, `default1`, …).
    public var label: String
    /// The stage.
    public var stage: DeployStage
    /// Each host's outcome.
    public var outcomes: [String: TargetHostOutcome]

    /// Hosts by status.
    public func hosts(_ status: TargetStageStatus.Outcome) -> [String] {
        outcomes.values.filter { $0.status == status }.map(\.host).sorted()
    }
}

/// How a deploy over the groups ended.
public struct DeployOutcome: Sendable, Equatable {
    /// Whether every group was deployed and finalized.
    public var succeeded: Bool
    /// Why it failed (`2 of 3 default targets failed, exceeding limit`, `deployment aborted`), if it did.
    public var failure: String?
    /// Whether the attempted groups were rolled back.
    public var rolledBack: Bool
    /// Every stage run, in order (deploy stages, then rollback or finalize).
    public var reports: [DeployStageReport]
    /// Whether the deploy was interrupted (Ctrl-C, SIGTERM).
    public var interrupted: Bool

    /// Creates an outcome.
    public init(
        succeeded: Bool, failure: String?, rolledBack: Bool, reports: [DeployStageReport], interrupted: Bool = false
    ) {
        self.succeeded = succeeded
        self.failure = failure
        self.rolledBack = rolledBack
        self.reports = reports
        self.interrupted = interrupted
    }

    /// The exit code of `scap deploy`: 0 on success, 130 when interrupted, 1 otherwise.
    public var exitCode: Int32 { succeeded ? 0 : interrupted ? 130 : 1 }
}
