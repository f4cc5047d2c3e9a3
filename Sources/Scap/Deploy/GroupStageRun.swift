/// One stage on some hosts of a group, as `scap deploy` (``GroupDeployer``) and `scap backport` (``BackportSync``)
/// both run it: each host's plan, the progress line, the stage runner (stopped by Ctrl-C when `interruptible`),
/// and the deploy log's `<label>: <stage> stage(s): ok: N; noop: N; fail: N` line. What each host's outcome means
/// (logged, printed, retried) is the caller's.
struct GroupStageRun: Sendable {
    /// Why a stage could not run at all.
    enum Failure: Error {
        /// A host's plan is invalid.
        case plan(host: String, TargetPlanError)
        /// The runner could not run the stage.
        case runner(TargetStageRunnerError)
    }

    /// Runs the stage on the hosts.
    var executor: any DeployStageExecutor
    /// Each host's plan in a group.
    var plan: @Sendable (_ host: String, _ group: DeployGroup) async throws(TargetPlanError) -> TargetStagePlan
    /// Where the count line goes.
    var log: DeployEventLog
    /// Follows the stage's targets.
    var progress: DeployProgress?
    /// Ctrl-C, for interruptible stages.
    var interruption: DeployInterruption?

    /// The stage's name in messages: `promote` restarts the services too.
    static func name(of stage: DeployStage) -> String {
        stage == .promote ? "promote and handle_service" : stage.rawValue
    }

    /// Runs `stage` on `hosts` of `group` and returns each host's outcome.
    func run(
        _ stage: DeployStage, group: DeployGroup, label: String, hosts: [String], interruptible: Bool
    ) async throws(Failure) -> [String: TargetHostOutcome] {
        var plans: [String: TargetStagePlan] = [:]
        for host in hosts {
            do {
                plans[host] = try await plan(host, group)
            } catch {
                throw .plan(host: host, error)
            }
        }
        let name = Self.name(of: stage)
        progress?.begin("\(label): \(name)", total: plans.count)
        let executor = self.executor
        let stagePlans = plans
        let body: @Sendable () async -> Result<[String: TargetHostOutcome], TargetStageRunnerError> = {
            do throws(TargetStageRunnerError) {
                return .success(try await executor.run(stage, plans: stagePlans))
            } catch {
                return .failure(error)
            }
        }
        let result: Result<[String: TargetHostOutcome], TargetStageRunnerError>
        if interruptible, let interruption {
            result = await interruption.interruptible(body)
        } else {
            result = await body()
        }
        progress?.end()
        let outcomes: [String: TargetHostOutcome]
        switch result {
        case .success(let value): outcomes = value
        case .failure(let error): throw .runner(error)
        }
        let count = { (status: TargetStageStatus.Outcome) in outcomes.values.filter { $0.status == status }.count }
        log.record(
            "\(label): \(name) stage(s): ok: \(count(.ok)); noop: \(count(.noop)); fail: \(count(.failed))",
            event: "stage",
            extra: [
                "group": .string(group.name), "label": .string(label), "stage": .string(stage.rawValue),
                "ok": .int(count(.ok)), "noop": .int(count(.noop)), "failed": .int(count(.failed)),
            ])
        return outcomes
    }
}
