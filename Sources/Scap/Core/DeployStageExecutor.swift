/// Runs one target stage on hosts, each with its own plan: ``TargetStageRunner`` over SSH, or a fake in tests.
public protocol DeployStageExecutor: Sendable {
    /// Runs `stage` on every host of `plans` and returns each host's outcome.
    func run(_ stage: DeployStage, plans: [String: TargetStagePlan]) async throws(TargetStageRunnerError)
        -> [String: TargetHostOutcome]

    /// Reads `paths` on each of `hosts` (the `remote_vars` files of `config_deploy`).
    func readFiles(_ paths: [String], on hosts: [String]) async -> [String: Result<RemoteFiles, RemoteReadFailure>]

    /// Releases what the stages kept open (e.g. SSH connections); called once after the last stage.
    func close() async
}

extension DeployStageExecutor {
    /// Nothing to release by default.
    public func close() async {}

    /// By default, files cannot be read: every host fails with a message saying so.
    public func readFiles(_ paths: [String], on hosts: [String]) async
        -> [String: Result<RemoteFiles, RemoteReadFailure>]
    {
        let failure = RemoteReadFailure("this executor cannot read files on targets")
        return Dictionary(hosts.map { ($0, .failure(failure)) }, uniquingKeysWith: { first, _ in first })
    }
}
