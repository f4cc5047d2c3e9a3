import Foundation
import TestBed
import Testing
import Wmflib

@testable import Scap

/// Deployments with a fake executor: stage selection, limits, unreachable hosts, the log file.
@Suite struct DeploymentTests {
    func run(_ repo: DeployRepoFixture, _ request: DeployRequest, executor: FakeStageExecutor, overrides: [String] = [])
        async throws -> DeployOutcome
    {
        try await Deployment(
            request: request, config: try repo.config(overrides: overrides), executor: executor, console: { _ in }
        ).run()
    }

    @Test func serviceRestartRunsOnlyHandleServiceWithTheServiceCommand() async throws {
        let repo = try DeployRepoFixture(groups: [("default", ["host1", "host2"])], extraConfig: "service_name: web\n")
        var request = repo.request()
        request.serviceRestartOnly = true
        let deployment = Deployment(
            request: request, config: try repo.config(), executor: FakeStageExecutor(), console: { _ in })
        #expect(try deployment.stages() == [.handleService])
        #expect(deployment.serviceCommand() == "sudo -n /usr/sbin/service web restart")
        let executor = FakeStageExecutor()
        let outcome = try await run(repo, request, executor: executor)
        #expect(outcome.succeeded)
        #expect(executor.calls.map(\.stage) == [.handleService, .finalize])
    }

    @Test func serviceRestartWithoutServiceIsAUsageError() async throws {
        let repo = try DeployRepoFixture(groups: [("default", ["host1"])])
        var request = repo.request()
        request.serviceRestartOnly = true
        do {
            _ = try await run(repo, request, executor: FakeStageExecutor())
            Issue.record("expected a usage error")
        } catch let error as DeployError {
            #expect(error.kind == .usage)
        }
    }

    @Test func limitHostsFiltersGroupsAndNothingLeftFails() async throws {
        let repo = try DeployRepoFixture(groups: [("canary", ["host1"]), ("default", ["host2", "host3"])])
        var request = repo.request()
        request.limitHosts = "!host2"
        let executor = FakeStageExecutor()
        _ = try await run(repo, request, executor: executor)
        #expect(executor.calls.first == .init(stage: .fetch, hosts: ["host1"]))
        #expect(executor.calls.contains(.init(stage: .fetch, hosts: ["host3"])))
        #expect(!executor.calls.contains { $0.hosts.contains("host2") })
        request.limitHosts = "nomatch*"
        do {
            _ = try await run(repo, request, executor: FakeStageExecutor())
            Issue.record("expected no targets")
        } catch let error as DeployError {
            #expect(error.message.hasPrefix("No targets selected"))
        }
    }

    @Test func unreachableHostIsSkippedByRollback() async throws {
        let executor = UnreachableExecutor(host: "host3")
        let groups = GroupDeployerTests.groups
        let deployer = GroupDeployer(groups: groups, executor: executor, log: DeployEventLog(console: { _ in })) {
            (_: String, _: DeployGroup) throws(TargetPlanError) -> TargetStagePlan in
            try TargetStagePlan(repo: "web", revision: String(repeating: "b", count: 40), gitURL: "file:///x")
        }
        let outcome = try await deployer.run()
        #expect(outcome.failure == "1 of 2 default targets failed, exceeding limit")
        let rollbacks = outcome.reports.filter { $0.stage == .rollback }
        #expect(rollbacks.map { $0.outcomes.keys.sorted() } == [["host2"], ["host1"]])
    }

    @Test func startAndFinishAreAnnouncedToSALWithTheDuration() async throws {
        let relay = try TCPListener()
        defer { relay.stop() }
        relay.accept(count: 2)
        let repo = try DeployRepoFixture(
            groups: [("default", ["host1"])], extraConfig: "tcpircbot_host: 127.0.0.1\ntcpircbot_port: \(relay.port)\n")
        var request = repo.request(message: "bump to v1")
        request.user = "deployer"
        let outcome = try await run(repo, request, executor: FakeStageExecutor())
        #expect(outcome.succeeded)
        let messages = relay.messages(count: 2)
        let host = currentHostname()
        let short = String(try repo.git(["rev-parse", "--short=7", "HEAD"]).prefix(7))
        #expect(messages.first == "!log deployer@\(host) Started deploy [web@\(short)]: bump to v1")
        let finished = try #require(messages.dropFirst().first)
        #expect(finished.hasPrefix("!log deployer@\(host) Finished deploy [web@\(short)]: bump to v1 (duration: 00m "))
    }

    @Test func initTagsAndWritesDeployHeadWithoutTouchingTargets() async throws {
        let repo = try DeployRepoFixture(groups: [("default", ["host1"])])
        var request = repo.request(message: "")
        request.initOnly = true
        let executor = FakeStageExecutor()
        let outcome = try await run(repo, request, executor: executor)
        #expect(outcome.succeeded)
        #expect(executor.calls.isEmpty)
        #expect(try repo.git(["tag", "-l", "scap/sync/*"]).split(separator: "\n").count == 1)
        let head = try String(contentsOfFile: repo.root + "/.git/DEPLOY_HEAD", encoding: .utf8)
        #expect(head.contains(try repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test func deployLogHasOneRecordPerLineWithEventsInOrder() async throws {
        let repo = try DeployRepoFixture(groups: [("canary", ["host1"]), ("default", ["host2"])])
        let outcome = try await run(repo, repo.request(message: "logged"), executor: FakeStageExecutor(failing: [.fetch: ["host2"]]))
        #expect(!outcome.succeeded)
        let records = try repo.latestLog()
        let events = records.compactMap { $0.extra["event"]?.description }
        #expect(events.first == "started")
        #expect(events.last == "finished")
        #expect(events.contains("deploy_failed"))
        let failure = try #require(records.first { $0.extra["event"] == .string("host_failed") })
        #expect(failure.host == "host2")
        #expect(failure.msg == "fetch failed: Check 'smoke' failed: broken")
        let prompts = records.filter { $0.extra["event"] == .string("prompt") }.compactMap { $0.extra["answer"] }
        #expect(prompts == [.string("y"), .string("y")])
        let file = try #require(DeployLogDirectory(root: repo.root).latestFile())
        #expect((file as NSString).lastPathComponent.hasPrefix("scap-sync-"))
    }
}

/// Fails one host as unreachable (exit 255) at fetch; every other call succeeds.
final class UnreachableExecutor: DeployStageExecutor {
    let host: String
    init(host: String) { self.host = host }

    func run(_ stage: DeployStage, plans: [String: TargetStagePlan]) async throws(TargetStageRunnerError)
        -> [String: TargetHostOutcome]
    {
        var outcomes: [String: TargetHostOutcome] = [:]
        for name in plans.keys {
            let down = name == host
            outcomes[name] = TargetHostOutcome(
                host: name, status: down ? .failed : .ok, message: down ? "SSH failed (exit 255)" : "done",
                exitCode: down ? 255 : 0)
        }
        return outcomes
    }
}
