/// Runs one target stage on hosts, each with its own plan: ``TargetStageRunner`` over SSH, or a fake in tests.
public protocol DeployStageExecutor: Sendable {
    /// Runs `stage` on every host of `plans` and returns each host's outcome.
    func run(_ stage: TargetStage, plans: [String: TargetStagePlan]) async throws(TargetStageRunnerError)
        -> [String: TargetHostOutcome]

    /// Releases what the stages kept open (e.g. SSH connections); called once after the last stage.
    func close() async
}

extension DeployStageExecutor {
    /// Nothing to release by default.
    public func close() async {}
}

extension TargetStageRunner: DeployStageExecutor {}
