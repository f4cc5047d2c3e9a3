import Foundation
import OpsSupport

/// The sync of a backport, on the groups of scap.cfg: the `testservers` group, its smoke tests and "Continue with
/// deployment?", then the `canary` group, `canary_wait_time` and the error-rate gate, then every other group
/// (production) and the gate again, and `finalize` everywhere when all went well.
///
/// Any failed step asks `Retry / Ignore failure and continue deployment / Roll back all stages and terminate /
/// Exit without rollback` (default: roll back); a rollback runs `rollback` on every attempted group in reverse
/// order and then asks for the acknowledgement that the change is still in the code base.
public struct BackportSync: Sendable {
    /// The groups of a backport.
    public struct Groups: Sendable, Equatable {
        /// The `testservers` group, if configured.
        public var testservers: DeployGroup?
        /// The `canary` group, if configured.
        public var canary: DeployGroup?
        /// Every other group, in `server_groups` order.
        public var production: [DeployGroup]

        /// Splits `groups` by name.
        public init(_ groups: [DeployGroup]) {
            testservers = groups.first { $0.name == "testservers" }
            canary = groups.first { $0.name == "canary" }
            production = groups.filter { $0.name != "testservers" && $0.name != "canary" }
        }

        /// Every group in deploy order.
        public var all: [DeployGroup] { [testservers, canary].compactMap { $0 } + production }
    }

    /// How the sync ended.
    public struct Outcome: Sendable, Equatable {
        /// Every group deployed (failures possibly ignored) and finalized.
        public var succeeded: Bool
        /// Why it stopped, if it did.
        public var failure: String?
        /// Whether the attempted groups were rolled back.
        public var rolledBack: Bool
        /// Whether it was interrupted (Ctrl-C, SIGTERM).
        public var interrupted: Bool
        /// The gates' results, in order.
        public var gates: [ErrorRateGate.Result]
        /// The failures that were ignored.
        public var ignored: [String]
    }

    /// The answers of the failure menu.
    public enum FailureAnswer: String, Sendable, CaseIterable {
        /// Run the failed step again.
        case retry = "r"
        /// Go on as if it had passed.
        case ignore = "i"
        /// Roll back every attempted group and stop.
        case rollback = "b"
        /// Stop, leaving the targets as they are.
        case exit = "e"

        /// The menu's label.
        public var label: String {
            switch self {
            case .retry: "Retry"
            case .ignore: "Ignore failure and continue deployment"
            case .rollback: "Roll back all stages and terminate"
            case .exit: "Exit without rollback"
            }
        }
    }

    /// The question after the test servers.
    public static let continuePrompt = "Continue with deployment?"
    /// The acknowledgement after a rollback.
    public static let rollbackAcknowledgement =
        "The backported change was undeployed by rollback, but it still exists in the codebase. You must merge a "
        + "fix or revert the change before anyone deploys again, or it will be deployed with their changes."

    /// The groups.
    public var groups: Groups
    /// The deploy stages run on each subgroup (fetch, config_deploy when enabled, promote).
    public var stages: [DeployStage]
    /// Runs stages on targets.
    public var executor: any DeployStageExecutor
    /// Each host's plan in a group.
    public var plan: @Sendable (_ host: String, _ group: DeployGroup) async throws(TargetPlanError) -> TargetStagePlan
    /// Asks the questions.
    public var prompter: any BackportPrompter
    /// Lines and status.
    public var console: BackportConsole
    /// The deploy log (also prints on the console).
    public var log: DeployEventLog
    /// Follows each stage's targets.
    public var progress: DeployProgress?
    /// Ctrl-C.
    public var interruption: DeployInterruption?
    /// The smoke tests, if any.
    public var smokeTests: SmokeTestSuite?
    /// Runs the smoke tests.
    public var smokeRunner: SmokeTestRunner
    /// The canary gate (`nil`: no Prometheus configured).
    public var canaryGate: ErrorRateGate?
    /// The production gate.
    public var productionGate: ErrorRateGate?
    /// `canary_wait_time`: the wait before each gate, also its window.
    public var canaryWait: Duration

    /// Creates a sync.
    public init(
        groups: Groups, stages: [DeployStage], executor: any DeployStageExecutor,
        plan: @escaping @Sendable (String, DeployGroup) async throws(TargetPlanError) -> TargetStagePlan,
        prompter: any BackportPrompter, console: BackportConsole, log: DeployEventLog, progress: DeployProgress? = nil,
        interruption: DeployInterruption? = nil, smokeTests: SmokeTestSuite? = nil,
        smokeRunner: SmokeTestRunner = SmokeTestRunner(), canaryGate: ErrorRateGate? = nil,
        productionGate: ErrorRateGate? = nil, canaryWait: Duration = .seconds(20)
    ) {
        self.groups = groups
        self.stages = stages
        self.executor = executor
        self.plan = plan
        self.prompter = prompter
        self.console = console
        self.log = log
        self.progress = progress
        self.interruption = interruption
        self.smokeTests = smokeTests
        self.smokeRunner = smokeRunner
        self.canaryGate = canaryGate
        self.productionGate = productionGate
        self.canaryWait = canaryWait
    }

    /// Why a step failed.
    private struct StepFailure: Error {
        var message: String
    }

    /// Stops the sync: roll back or not.
    private struct Stop: Error {
        var failure: String
        var rollback: Bool
    }

    /// State carried through the steps.
    private final class Run: @unchecked Sendable {
        var attempted: [DeployGroup] = []
        var excluded: Set<String> = []
        var gates: [ErrorRateGate.Result] = []
        var ignored: [String] = []
    }

    /// Runs the sync; `started` is when the backport began (the production gate's baseline time).
    /// - Throws: ``BackportError`` when a plan is invalid or a stage cannot start at all.
    public func run(started: Date = Date()) async throws(BackportError) -> Outcome {
        let run = Run()
        do {
            if let testservers = groups.testservers {
                try await step(run, "\(testservers.name): sync") { () throws(StepFailure) in
                    try await deploy(testservers, run)
                }
                if let smokeTests, !smokeTests.tests.isEmpty {
                    try await step(run, "\(testservers.name): smoke tests") { () throws(StepFailure) in
                        try await smoke(smokeTests, on: testservers.hosts.filter { !run.excluded.contains($0) })
                    }
                } else {
                    console.print("No smoke tests (smoke_tests in scap.cfg names no file with tests)")
                }
                console.status("Awaiting user interaction")
                let answer = await prompter.choose(
                    Self.continuePrompt,
                    choices: [("Yes, continue with deployment", "y"), ("No, roll back deployment and terminate", "n")],
                    default: "n")
                log.record(
                    "\(Self.continuePrompt) \(answer)", event: "prompt",
                    extra: ["question": .string("continue"), "answer": .string(answer)], onConsole: false)
                if answer != "y" { throw Stop(failure: "deployment aborted after the test servers", rollback: true) }
            }
            if let canary = groups.canary {
                try await step(run, "\(canary.name): sync") { () throws(StepFailure) in try await deploy(canary, run) }
                if let canaryGate {
                    let baseline = groups.production.flatMap(\.hosts)
                    try await step(run, "\(canary.name): error-rate gate") { () throws(StepFailure) in
                        try await gate(
                            canaryGate, label: canary.name, hosts: canary.hosts, baseline: baseline, at: nil, run)
                    }
                }
            }
            for group in groups.production {
                try await step(run, "\(group.name): sync") { () throws(StepFailure) in try await deploy(group, run) }
            }
            if let productionGate, !groups.production.isEmpty {
                let hosts = groups.production.flatMap(\.hosts)
                try await step(run, "production: error-rate gate") { () throws(StepFailure) in
                    try await gate(productionGate, label: "production", hosts: hosts, baseline: hosts, at: started, run)
                }
            }
        } catch let stop as Stop {
            log.record(stop.failure, level: .error, event: "backport_failed", extra: ["error": .string(stop.failure)])
            if stop.rollback {
                console.status("Rolling back")
                for group in run.attempted.reversed() {
                    let hosts = group.hosts.filter { !run.excluded.contains($0) }
                    if hosts.isEmpty { continue }
                    _ = try await runStage(
                        .rollback, group: group, label: group.name, hosts: hosts, interruptible: false)
                }
                console.status("Awaiting user interaction")
                let answer = await prompter.choose(
                    Self.rollbackAcknowledgement, choices: [("Acknowledge and release the deployment lock", "a")],
                    default: "a")
                log.record(
                    "rollback acknowledged: \(answer)", event: "prompt",
                    extra: ["question": .string("acknowledge"), "answer": .string(answer)], onConsole: false)
            }
            return Outcome(
                succeeded: false, failure: stop.failure, rolledBack: stop.rollback,
                interrupted: interruption?.isInterrupted ?? false, gates: run.gates, ignored: run.ignored)
        } catch let error as BackportError {
            throw error
        } catch {
            throw BackportError(.failed, "\(error)")
        }
        console.status("Finalizing")
        for group in groups.all {
            let hosts = group.hosts.filter { !run.excluded.contains($0) }
            if hosts.isEmpty { continue }
            _ = try await runStage(.finalize, group: group, label: group.name, hosts: hosts, interruptible: false)
        }
        return Outcome(
            succeeded: true, failure: nil, rolledBack: false, interrupted: false, gates: run.gates,
            ignored: run.ignored)
    }

    /// Runs `body` as step `name`; on a failure asks the failure menu until it passes, is ignored, or stops.
    private func step(_ run: Run, _ name: String, _ body: () async throws(StepFailure) -> Void) async throws -> Void {
        for _ in 0..<100 {
            console.status(name)
            let failure: String
            do {
                try await body()
                return
            } catch {
                failure = error.message
            }
            if interruption?.isInterrupted == true {
                let message = "backport interrupted (Ctrl+C) during \(name)"
                let answer = await ask(message, [.rollback, .exit])
                throw Stop(failure: message, rollback: answer != .exit)
            }
            switch await ask("\(name) failed: \(failure)", FailureAnswer.allCases) {
            case .retry: continue
            case .ignore:
                log.record("ignored: \(name) failed: \(failure)", level: .warning, event: "ignored", extra: [:])
                run.ignored.append("\(name) failed: \(failure)")
                return
            case .rollback: throw Stop(failure: "\(name) failed: \(failure)", rollback: true)
            case .exit: throw Stop(failure: "\(name) failed: \(failure)", rollback: false)
            }
        }
        throw Stop(failure: "\(name) failed 100 times", rollback: true)
    }

    private func ask(_ failure: String, _ answers: [FailureAnswer]) async -> FailureAnswer {
        console.status("Awaiting user interaction")
        let code = await prompter.choose(
            "\(failure). What next?", choices: answers.map { ($0.label, $0.rawValue) },
            default: FailureAnswer.rollback.rawValue)
        let answer = FailureAnswer(rawValue: code) ?? .rollback
        log.record(
            "\(failure). What next? \(answer.rawValue)", event: "prompt",
            extra: ["question": .string("failure"), "answer": .string(answer.rawValue)], onConsole: false)
        return answer
    }

    /// Deploys `group` subgroup by subgroup; fails when its failed hosts exceed its limit.
    private func deploy(_ group: DeployGroup, _ run: Run) async throws(StepFailure) {
        if !run.attempted.contains(where: { $0.name == group.name }) { run.attempted.append(group) }
        log.record(
            "== \(group.name.uppercased()) ==\n" + group.hosts.map { ":* \($0)" }.joined(separator: "\n"),
            event: "group", extra: ["group": .string(group.name), "hosts": .array(group.hosts.map(JSONValue.string))])
        var failed: Set<String> = []
        for subgroup in group.subgroups {
            var remaining = subgroup.hosts.filter { !run.excluded.contains($0) }
            for stage in stages where !remaining.isEmpty {
                if interruption?.isInterrupted == true { throw StepFailure(message: "interrupted") }
                let outcomes: [String: TargetHostOutcome]
                do {
                    outcomes = try await runStage(
                        stage, group: group, label: subgroup.label, hosts: remaining, interruptible: true)
                } catch {
                    throw StepFailure(message: error.message)
                }
                for outcome in outcomes.values where outcome.status == .failed {
                    failed.insert(outcome.host)
                    if outcome.exitCode == 255 { run.excluded.insert(outcome.host) }
                }
                remaining.removeAll { outcomes[$0]?.status == .failed }
            }
        }
        if interruption?.isInterrupted == true { throw StepFailure(message: "interrupted") }
        if failed.count > group.allowedFailures {
            throw StepFailure(
                message: "\(failed.count) of \(group.hosts.count) \(group.name) targets failed "
                    + "(\(failed.sorted().joined(separator: ", "))), exceeding limit")
        }
        log.record("\(group.name) deploy successful", event: "group_done", extra: ["group": .string(group.name)])
    }

    /// Runs the smoke tests on `hosts`.
    private func smoke(_ suite: SmokeTestSuite, on hosts: [String]) async throws(StepFailure) {
        console.print("Running \(suite.tests.count) smoke test(s) on \(hosts.joined(separator: ", "))")
        let failures = await smokeRunner.run(suite, on: hosts)
        guard failures.isEmpty else {
            var lines: [String] = []
            for host in hosts {
                let mine = failures.filter { $0.host == host }
                if mine.isEmpty { continue }
                lines.append("\(host): \(mine.count) failed assertion(s)")
                lines += mine.map { "  \($0.test): \($0.message)" }
            }
            let text = lines.joined(separator: "\n")
            log.record(
                "Smoke tests failed:\n" + text, level: .error, event: "smoke_tests",
                extra: ["passed": .bool(false), "failures": .int(failures.count)])
            throw StepFailure(message: "\(failures.count) smoke test assertion(s) failed")
        }
        log.record(
            "Smoke tests passed: \(suite.tests.count) test(s) on \(hosts.count) host(s)", event: "smoke_tests",
            extra: ["passed": .bool(true)])
    }

    /// Waits `canary_wait_time`, then runs the gate; anything but a pass fails the step.
    private func gate(
        _ gate: ErrorRateGate, label: String, hosts: [String], baseline: [String], at time: Date?, _ run: Run
    ) async throws(StepFailure) {
        let seconds = canaryWait.wholeSeconds
        console.print("Waiting \(seconds)s (canary_wait_time) before checking the \(label) error rate")
        let deadline = ContinuousClock.now + canaryWait
        while ContinuousClock.now < deadline {
            if interruption?.isInterrupted == true { throw StepFailure(message: "interrupted") }
            try? await Task.sleep(for: min(.milliseconds(250), deadline - ContinuousClock.now))
        }
        let result = await gate.evaluate(
            label, hosts: hosts, baseline: baseline, baselineTime: time, window: canaryWait)
        run.gates.append(result)
        log.record(
            result.message, level: result.outcome == .pass ? .info : .error, event: "error_rate_gate",
            extra: [
                "group": .string(label), "outcome": .string(result.outcome.rawValue), "errors": .double(result.errors),
                "requests": .double(result.requests), "baseline_errors": .double(result.baselineErrors),
                "baseline_requests": .double(result.baselineRequests),
            ])
        if result.outcome != .pass { throw StepFailure(message: result.message) }
    }

    /// Runs `stage` on `hosts` of `group` (``GroupStageRun``) and logs each failure.
    private func runStage(
        _ stage: DeployStage, group: DeployGroup, label: String, hosts: [String], interruptible: Bool
    ) async throws(BackportError) -> [String: TargetHostOutcome] {
        let run = GroupStageRun(
            executor: executor, plan: plan, log: log, progress: progress, interruption: interruption)
        let outcomes: [String: TargetHostOutcome]
        do throws(GroupStageRun.Failure) {
            outcomes = try await run.run(stage, group: group, label: label, hosts: hosts, interruptible: interruptible)
        } catch {
            switch error {
            case .plan(let host, let error):
                throw BackportError(.failed, "cannot plan \(stage) for \(host): \(error)")
            case .runner(let error):
                throw BackportError(.failed, "\(label): \(GroupStageRun.name(of: stage)): \(error)")
            }
        }
        for outcome in outcomes.values.sorted(by: { $0.host < $1.host }) where outcome.status == .failed {
            log.record(
                "\(stage) failed: \(outcome.message)", level: .error, event: "host_failed", host: outcome.host,
                extra: [
                    "group": .string(group.name), "stage": .string(stage.rawValue), "output": .string(outcome.output),
                ])
        }
        return outcomes
    }
}
