import Foundation
import TestSupport
import Testing

@testable import Scap

/// `scap backport` end to end on a bed of five real sshd hosts (a test server, a canary, three production hosts),
/// each running a real HTTP service that serves the deployed tree's version; changes come from a real upstream
/// git repository on disk.
@Suite(.tags(.sshd), .serialized) struct BackportBedTests {
    static let groups: [(name: String, hosts: [String])] = [
        ("testservers", ["host1"]), ("canary", ["host2"]), ("production", ["host3", "host4", "host5"]),
    ]
    static let smokeTests = """
        http://web.example.org:
        - path: /version
          assert_status: 200
          assert_body_regex: "^v[0-9]+"
        """

    /// The fixture, its first deploy of v1 everywhere, and the runner for the backport.
    func prepare(_ services: ServiceBed, extraConfig: String = "") async throws -> (BackportFixture, TargetStageRunner)
    {
        let fixture = try BackportFixture(
            groups: Self.groups,
            extraConfig: "smoke_test_hosts: scap/smoke-hosts\ncanary_wait_time: 1\n" + extraConfig,
            smokeTests: Self.smokeTests)
        fixture.tree.write("deploy/scap/smoke-hosts", services.addressFile)
        let runner = TargetStageRunner(
            configuration: services.bed.configuration, batchSize: .count(5), stageTimeout: .seconds(60),
            connectionReuse: .session)
        let initial = try await Deployment(
            request: fixture.deployRequest(), config: try fixture.config(), executor: runner, console: { _ in }
        ).run()
        #expect(initial.succeeded)
        for host in services.bed.hosts { #expect(try services.version(host) == "v1") }
        return (fixture, runner)
    }

    func backport(
        _ fixture: BackportFixture, _ runner: TargetStageRunner, _ changes: [String],
        prompter: any BackportPrompter = DefaultAnswersBackportPrompter(), overrides: [String] = [],
        configure: (inout BackportRequest) -> Void = { _ in }
    ) async throws -> (Result<BackportResult, BackportError>, BackportLines) {
        let lines = BackportLines()
        var options = fixture.options(changes)
        configure(&options)
        let application = Backport(
            request: options, config: try fixture.config(overrides: overrides), executor: runner, prompter: prompter,
            console: lines.console)
        do {
            return (.success(try await application.run()), lines)
        } catch {
            return (.failure(error), lines)
        }
    }

    @Test func twoDependentChangesReachEveryHost() async throws {
        try await withServiceBed { services in
            let (fixture, runner) = try await prepare(services)
            let first = try fixture.change(101, files: ["version.txt": "v2\n", "a.txt": "a\n"], subject: "Add a")
            try fixture.change(
                102, parent: first, files: ["version.txt": "v3\n"], subject: "Bump to v3", trailer: "Security: yes")
            let prompter = ScriptedBackportPrompter([("Continue with deployment?", "y")])
            let (result, lines) = try await backport(fixture, runner, ["102", "101"], prompter: prompter)
            let outcome = try result.get()
            #expect(outcome.outcome == "succeeded", "\(lines.all)")
            #expect(outcome.exitCode == 0)
            for host in services.bed.hosts { #expect(try services.version(host) == "v3", "\(host)") }
            let merged = try fixture.upstreamMain()
            #expect(merged == outcome.commit)
            #expect(try BackportFixture.git(fixture.root, ["rev-parse", "HEAD"]) == merged)
            #expect(prompter.asked.contains("Continue with deployment?"))
            #expect(lines.all.contains { $0.contains("Smoke tests passed: 1 test(s) on 1 host(s)") }, "\(lines.all)")
            // The security change's lines are sensitive; the other's are not.
            #expect(lines.sensitive.contains { $0.contains("Bump to v3") })
            #expect(!lines.sensitive.contains { $0.contains("Add a") })
            let history = fixture.history()
            #expect(history.count == 1)
            #expect(history.first?["outcome"] as? String == "succeeded")
            #expect(
                (history.first?["changes"] as? [[String: Any]])?.map { $0["label"] as? String } == ["101,1", "102,1"])
            #expect(history.first?["commit"] as? String == merged)
        }
    }

    @Test func aConflictStopsBeforeAnythingIsDeployedAndNamesTheFile() async throws {
        try await withServiceBed { services in
            let (fixture, runner) = try await prepare(services)
            try fixture.change(201, files: ["version.txt": "v2-from-change\n"], subject: "Change the version")
            let other = try fixture.pushToMain(files: ["version.txt": "v2-upstream\n"], subject: "Someone else")
            let (result, _) = try await backport(fixture, runner, ["201"])
            guard case .failure(let error) = result else {
                Issue.record("expected a conflict, got \(result)")
                return
            }
            #expect(error.kind == .changes)
            #expect(error.message.contains("change 201,1 (Change the version) conflicts with main in version.txt"))
            #expect(try fixture.upstreamMain() == other)
            for host in services.bed.hosts { #expect(try services.version(host) == "v1") }
            #expect(fixture.history().isEmpty)
        }
    }

    @Test func unknownAbandonedAndMissingDependenciesAreReportedAtOnce() async throws {
        try await withServiceBed(hosts: 1) { services in
            let fixture = try BackportFixture(groups: [("canary", ["host1"])])
            let runner = TargetStageRunner(configuration: services.bed.configuration)
            let first = try fixture.change(301, files: ["b.txt": "b\n"], subject: "First")
            try fixture.change(302, parent: first, files: ["c.txt": "c\n"], subject: "Second")
            let (result, _) = try await backport(fixture, runner, ["302", "999", "no-such-branch"])
            guard case .failure(let error) = result else {
                Issue.record("expected an error, got \(result)")
                return
            }
            #expect(error.message.contains("change '999' not found"))
            #expect(error.message.contains("change 'no-such-branch' not found"))
            let (missing, _) = try await backport(fixture, runner, ["302"])
            guard case .failure(let dependency) = missing else {
                Issue.record("expected an error, got \(missing)")
                return
            }
            #expect(
                dependency.message.contains("depends on \(first.prefix(10)), which is neither merged nor in this batch")
            )
        }
    }

    @Test func aFailedSmokeTestRollsBackTheTestServerAndLeavesProductionAlone() async throws {
        try await withServiceBed { services in
            let (fixture, runner) = try await prepare(services)
            try fixture.change(401, files: ["version.txt": "broken\n"], subject: "Break the version")
            let prompter = ScriptedBackportPrompter()
            let (result, lines) = try await backport(fixture, runner, ["401"], prompter: prompter)
            let outcome = try result.get()
            #expect(outcome.outcome == "rolled_back", "\(lines.all)")
            #expect(outcome.exitCode == 1)
            #expect(lines.all.contains { $0.contains("host1: 1 failed assertion(s)") }, "\(lines.all)")
            #expect(
                lines.all.contains { $0.contains("GET http://web.example.org/version: body does not match /^v[0-9]+/") }
            )
            #expect(
                prompter.asked.contains {
                    $0.hasPrefix("testservers: smoke tests failed: 1 smoke test assertion(s) failed. What next?")
                })
            #expect(prompter.asked.last == BackportSync.rollbackAcknowledgement)
            for host in services.bed.hosts { #expect(try services.version(host) == "v1", "\(host)") }
            #expect(fixture.history().first?["outcome"] as? String == "rolled_back")
        }
    }

    @Test func answeringNoToContinueRollsBack() async throws {
        try await withServiceBed { services in
            let (fixture, runner) = try await prepare(services)
            try fixture.change(501, files: ["version.txt": "v2\n"], subject: "Bump")
            let prompter = ScriptedBackportPrompter([("Continue with deployment?", "n")])
            let (result, lines) = try await backport(fixture, runner, ["501"], prompter: prompter)
            let outcome = try result.get()
            #expect(outcome.outcome == "rolled_back", "\(lines.all)")
            #expect(outcome.sync?.failure == "deployment aborted after the test servers")
            for host in services.bed.hosts { #expect(try services.version(host) == "v1", "\(host)") }
            // The default at "Continue with deployment?" is no: no answer rolls back too.
            #expect(prompter.asked.contains(BackportSync.rollbackAcknowledgement))
        }
    }
}
