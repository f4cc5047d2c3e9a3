/// Deploys the server groups in order, canary first, as scap's `_execute_for_groups` does.
///
/// For each group and subgroup the stages run on the subgroup's hosts; a failed host is dropped from the later
/// stages of its subgroup. When a group's failures exceed its allowed failures, or the user answers `n` between
/// subgroups, the deploy fails: the user is asked whether to roll back, and `rollback` runs on every attempted
/// group in reverse order, failures ignored. When every group succeeded, `finalize` runs on every group. Stages
/// that change nothing on the targets (`config_diff`) are neither finalized nor rolled back, and each host's
/// diff is printed.
/// ```swift
/// let deployer = GroupDeployer(groups: groups, stages: [.fetch, .promote], executor: runner,
///                              prompter: TerminalPrompter(), log: log) { host, group in plan }
/// let outcome = await deployer.run()
/// ```
public struct GroupDeployer: Sendable {
    /// The groups, in deploy order.
    public var groups: [DeployGroup]
    /// The stages run on each subgroup.
    public var stages: [DeployStage]
    /// Runs a stage on hosts.
    public var executor: any DeployStageExecutor
    /// Asks whether to continue and whether to roll back.
    public var prompter: any DeployPrompter
    /// Where events go.
    public var log: DeployEventLog
    /// Ctrl-C: stops the stage in flight and fails the deploy; `nil`: not interruptible.
    public var interruption: DeployInterruption?
    /// Follows each stage's targets (also the runner's observer); `nil`: no progress reports.
    public var progress: DeployProgress?
    /// The plan of one host in one group (checks may depend on the group).
    public var plan: @Sendable (_ host: String, _ group: DeployGroup) async throws(TargetPlanError)
        -> TargetStagePlan

    /// Creates a deployer.
    public init(
        groups: [DeployGroup], stages: [DeployStage] = [.fetch, .promote], executor: any DeployStageExecutor,
        prompter: any DeployPrompter = DefaultAnswersPrompter(), log: DeployEventLog = DeployEventLog(),
        progress: DeployProgress? = nil, interruption: DeployInterruption? = nil,
        plan: @escaping @Sendable (_ host: String, _ group: DeployGroup) async throws(TargetPlanError)
        -> TargetStagePlan
    ) {
        self.groups = groups
        self.stages = stages
        self.executor = executor
        self.prompter = prompter
        self.log = log
        self.progress = progress
        self.interruption = interruption
        self.plan = plan
    }

    private struct GroupFailure: Error {
        var message: String
    }

    /// Deploys every group, then finalizes, or rolls back on failure.
    /// - Throws: ``DeployError`` when a plan is invalid or a stage cannot start at all.
    public func run() async throws(DeployError) -> DeployOutcome {
        var reports: [DeployStageReport] = []
        var attempted: [DeployGroup] = []
        var excluded: Set<String> = []
        var continueAll = false
        let lastLabel = groups.last?.subgroups.last?.label
        do {
            for group in groups {
                attempted.append(group)
                log.record(
                    "== \(group.name.uppercased()) ==\n" + group.hosts.map { ":* \($0)" }.joined(separator: "\n"),
                    event: "group", extra: ["group": .string(group.name), "hosts": .array(group.hosts.map(JSONValue.string))])
                var failedInGroup: Set<String> = []
                for subgroup in group.subgroups {
                    var remaining = subgroup.hosts.filter { !excluded.contains($0) }
                    for stage in stages where !remaining.isEmpty {
                        try checkInterruption()
                        let report = try await runStage(
                            stage, group: group, label: subgroup.label, hosts: remaining, interruptible: true)
                        reports.append(report)
                        for outcome in report.outcomes.values where outcome.status == .failed {
                            failedInGroup.insert(outcome.host)
                            if outcome.exitCode == 255 { excluded.insert(outcome.host) }
                        }
                        remaining.removeAll { report.outcomes[$0]?.status == .failed }
                    }
                    try checkInterruption()
                    if failedInGroup.count > group.allowedFailures {
                        throw GroupFailure(
                            message: "\(failedInGroup.count) of \(group.hosts.count) \(subgroup.label) targets failed, "
                                + "exceeding limit")
                    }
                    log.record("\(subgroup.label) deploy successful", event: "subgroup_done",
                               extra: ["group": .string(group.name), "label": .string(subgroup.label)])
                    if subgroup.label != lastLabel && !continueAll {
                        let answer = await prompter.shouldContinue(after: subgroup.label)
                        log.record(
                            "Continue? [y/n/c] after \(subgroup.label): \(answer.rawValue)", event: "prompt",
                            extra: ["question": .string("continue"), "answer": .string(answer.rawValue)],
                            onConsole: false)
                        switch answer {
                        case .yes: break
                        case .all: continueAll = true
                        case .no: throw GroupFailure(message: "deployment aborted")
                        }
                    }
                }
            }
        } catch let failure as GroupFailure {
            log.record(failure.message, level: .error, event: "deploy_failed", extra: ["error": .string(failure.message)])
            guard stages.contains(where: \.changesTargets) else {
                return DeployOutcome(succeeded: false, failure: failure.message, rolledBack: false, reports: reports)
            }
            let rollback = await prompter.shouldRollback(after: failure.message)
            log.record(
                "Rollback all deployed groups? [Y/n]: \(rollback ? "y" : "n")", event: "prompt",
                extra: ["question": .string("rollback"), "answer": .string(rollback ? "y" : "n")], onConsole: false)
            if rollback {
                for group in attempted.reversed() {
                    let hosts = group.hosts.filter { !excluded.contains($0) }
                    guard !hosts.isEmpty else { continue }
                    reports.append(try await runStage(.rollback, group: group, label: group.name, hosts: hosts))
                }
            }
            return DeployOutcome(
                succeeded: false, failure: failure.message, rolledBack: rollback, reports: reports,
                interrupted: interruption?.isInterrupted ?? false)
        } catch let error as DeployError {
            throw error
        } catch {
            throw DeployError("\(error)")
        }
        for group in groups where stages.contains(where: \.changesTargets) {
            let hosts = group.hosts.filter { !excluded.contains($0) }
            guard !hosts.isEmpty else { continue }
            reports.append(try await runStage(.finalize, group: group, label: group.name, hosts: hosts))
        }
        return DeployOutcome(succeeded: true, failure: nil, rolledBack: false, reports: reports)
    }

    /// Fails the deploy when it was interrupted.
    private func checkInterruption() throws(GroupFailure) {
        if interruption?.isInterrupted == true { throw GroupFailure(message: "deployment interrupted (Ctrl+C)") }
    }

    /// Runs one stage on `hosts` of `group` (``GroupStageRun``) and logs each host's outcome; an `interruptible`
    /// stage is cancelled by ``interruption``.
    private func runStage(
        _ stage: DeployStage, group: DeployGroup, label: String, hosts: [String], interruptible: Bool = false
    ) async throws(DeployError) -> DeployStageReport {
        let run = GroupStageRun(
            executor: executor, plan: plan, log: log, progress: progress, interruption: interruption)
        let outcomes: [String: TargetHostOutcome]
        do throws(GroupStageRun.Failure) {
            outcomes = try await run.run(stage, group: group, label: label, hosts: hosts, interruptible: interruptible)
        } catch {
            switch error {
            case .plan(let host, let error):
                throw DeployError(.targetPlan(error), "cannot plan \(stage) for \(host): \(error)")
            case .runner(let error):
                throw DeployError(.stageRunner(error), "\(error)")
            }
        }
        let report = DeployStageReport(group: group.name, label: label, stage: stage, outcomes: outcomes)
        for outcome in outcomes.values.sorted(by: { $0.host < $1.host }) {
            let level: LogLevel = outcome.status == .failed ? .error : .debug
            log.record(
                outcome.status == .failed ? "\(stage) failed: \(outcome.message)" : outcome.message, level: level,
                event: outcome.status == .failed ? "host_failed" : "host_done", host: outcome.host,
                extra: [
                    "group": .string(group.name), "stage": .string(stage.rawValue),
                    "status": .string(outcome.status.rawValue), "output": .string(outcome.output),
                ],
                onConsole: outcome.status == .failed || (stage == .configDiff && outcome.status == .ok))
            if stage == .configDiff, outcome.status == .ok, !outcome.output.isEmpty {
                log.console(outcome.output.hasSuffix("\n") ? String(outcome.output.dropLast()) : outcome.output)
            }
        }
        return report
    }
}
