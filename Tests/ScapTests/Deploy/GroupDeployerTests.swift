import Foundation
import Testing

@testable import Scap

@Suite struct GroupDeployerTests {
    static let groups = [
        DeployGroup(name: "canary", hosts: ["host1"], targetList: "c", failureLimit: .percent(0), groupSize: nil),
        DeployGroup(name: "default", hosts: ["host2", "host3"], targetList: "d", failureLimit: .percent(0), groupSize: nil),
    ]

    func deployer(_ executor: FakeStageExecutor, _ prompter: ScriptedPrompter, groups: [DeployGroup] = groups)
        -> GroupDeployer
    {
        GroupDeployer(groups: groups, executor: executor, prompter: prompter, log: DeployEventLog(console: { _ in })) {
            (_: String, _: DeployGroup) throws(TargetPlanError) -> TargetStagePlan in
            try TargetStagePlan(repo: "web", revision: String(repeating: "a", count: 40), gitURL: "file:///x")
        }
    }

    @Test func canaryFirstThenRestThenFinalizeAll() async throws {
        let executor = FakeStageExecutor()
        let prompter = ScriptedPrompter([])
        let outcome = try await deployer(executor, prompter).run()
        #expect(outcome.succeeded)
        #expect(outcome.exitCode == 0)
        #expect(
            executor.calls == [
                .init(stage: .fetch, hosts: ["host1"]), .init(stage: .promote, hosts: ["host1"]),
                .init(stage: .fetch, hosts: ["host2", "host3"]), .init(stage: .promote, hosts: ["host2", "host3"]),
                .init(stage: .finalize, hosts: ["host1"]), .init(stage: .finalize, hosts: ["host2", "host3"]),
            ])
        #expect(prompter.asked == ["continue after canary"])
    }

    @Test func failureBeyondTheLimitRollsBackAttemptedGroupsInReverse() async throws {
        let executor = FakeStageExecutor(failing: [.promote: ["host3"]])
        let prompter = ScriptedPrompter([])
        let outcome = try await deployer(executor, prompter).run()
        #expect(!outcome.succeeded)
        #expect(outcome.exitCode == 1)
        #expect(outcome.failure == "1 of 2 default targets failed, exceeding limit")
        #expect(outcome.rolledBack)
        #expect(
            Array(executor.calls.suffix(2)) == [
                .init(stage: .rollback, hosts: ["host2", "host3"]), .init(stage: .rollback, hosts: ["host1"]),
            ])
        #expect(!executor.calls.contains { $0.stage == .finalize })
    }

    @Test func failedHostSkipsLaterStagesAndAllowedFailuresAreTolerated() async throws {
        var groups = Self.groups
        groups[1].failureLimit = .count(1)
        let executor = FakeStageExecutor(failing: [.fetch: ["host2"]])
        let outcome = try await deployer(executor, ScriptedPrompter([]), groups: groups).run()
        #expect(outcome.succeeded)
        #expect(executor.calls.contains(.init(stage: .promote, hosts: ["host3"])))
    }

    @Test func answeringNoAbortsAndDecliningRollbackLeavesTargets() async throws {
        let executor = FakeStageExecutor()
        let prompter = ScriptedPrompter([.no], rollback: false)
        let outcome = try await deployer(executor, prompter).run()
        #expect(outcome.failure == "deployment aborted")
        #expect(!outcome.rolledBack)
        #expect(executor.calls.allSatisfy { $0.hosts == ["host1"] })
        #expect(!executor.calls.contains { $0.stage == .rollback })
        #expect(prompter.asked == ["continue after canary", "rollback after deployment aborted"])
    }

    @Test func continueAllStopsAskingBetweenSubgroups() async throws {
        var groups = Self.groups
        groups[1].hosts = ["host2", "host3", "host4"]
        groups[1].groupSize = 1
        let prompter = ScriptedPrompter([.all])
        let outcome = try await deployer(FakeStageExecutor(), prompter, groups: groups).run()
        #expect(outcome.succeeded)
        #expect(prompter.asked == ["continue after canary"])
        let labels = outcome.reports.filter { $0.stage == .fetch }.map(\.label)
        #expect(labels == ["canary", "default1", "default2", "default3"])
    }

    @Test func limitHostsGlobsRegexRangesAndNegation() throws {
        #expect(try HostLimit("all").matches("x"))
        #expect(try HostLimit("host*").matches("host2.eqiad"))
        #expect(try !HostLimit("host*").matches("mw1"))
        #expect(try HostLimit("!host1").matches("host2"))
        #expect(try !HostLimit("!host1").matches("host1"))
        #expect(try HostLimit("~^host[23]$").matches("host3"))
        #expect(try HostLimit("mw[01:10].eqiad").matches("mw07.eqiad"))
        #expect(try !HostLimit("mw[01:10].eqiad").matches("mw11.eqiad"))
        #expect(try !HostLimit("mw[01:10].eqiad").matches("mw07xeqiad"))
        #expect(throws: DeployError.self) { try HostLimit("mw[1-3]") }
    }

    @Test func stagesParseWithAliasesAndRejectUnknown() throws {
        #expect(try DeployRequest.parseStages("fetch,promote") == [.fetch, .promote])
        #expect(try DeployRequest.parseStages("restart_service") == [.handleService])
        #expect(throws: DeployError.self) { try DeployRequest.parseStages("fetch,bogus") }
        #expect(throws: DeployError.self) { try DeployRequest.parseStages("config_diff") }
    }
}
