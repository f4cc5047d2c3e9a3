import Cumin
import Foundation
import NodeSet
import TestSupport
import Testing

@testable import Scap

/// Stages sent over real SSH to a bed of targets, each running a real web service from the deployed tree.
@Suite(.tags(.sshd), .serialized) struct TargetStageRunnerTests {
    static let repo = "web"

    /// One plan per host: the same revision, each host's own service port.
    func plans(
        _ bed: TargetBed, services: [String: WebService], fixture: GitFixture, version: Int, force: Bool = false,
        checks: [TargetCheck] = [], timeout: Double = 10
    ) throws -> [String: TargetStagePlan] {
        var plans: [String: TargetStagePlan] = [:]
        for host in bed.hosts {
            plans[host] = try TargetStagePlan(
                repo: Self.repo, revision: fixture.commits[version - 1], gitURL: fixture.url, force: force,
                serviceRestartCommand: WebService.restartCommand, servicePort: services[host]?.port,
                serviceTimeout: timeout, checks: checks)
        }
        return plans
    }

    func withServices<T>(
        hosts: Int = 2, versions: Int = 2,
        _ body: (TargetBed, [String: WebService], GitFixture, TargetStageRunner) async throws -> T
    ) async throws -> T {
        let fixture = try GitFixture(versions: versions)
        defer { fixture.remove() }
        return try await withTargetBed(hosts: hosts) { bed in
            var services: [String: WebService] = [:]
            for host in bed.hosts {
                let service = WebService(srvPath: bed.srvPath(of: host), port: try freeLoopbackPort(), repo: Self.repo)
                try service.install()
                services[host] = service
            }
            defer { for service in services.values { service.stop() } }
            let runner = TargetStageRunner(
                configuration: bed.configuration, batchSize: .count(2), stageTimeout: .seconds(60))
            return try await body(bed, services, fixture, runner)
        }
    }

    func expectAll(_ outcomes: [String: TargetHostOutcome], _ status: TargetStageStatus.Outcome) {
        for outcome in outcomes.values {
            #expect(outcome.status == status, "\(outcome.host): \(outcome.message)\n\(outcome.output)")
        }
    }

    @Test func fetchPromoteServesV1ThenSecondRunIsNoopAndForceRestarts() async throws {
        try await withServices { bed, services, fixture, runner in
            let v1 = try plans(bed, services: services, fixture: fixture, version: 1)
            expectAll(try await runner.run(.fetch, plans: v1), .ok)
            expectAll(try await runner.run(.promote, plans: v1), .ok)
            for host in bed.hosts {
                let link = bed.srvPath(of: host) + "/deployment/\(Self.repo)"
                #expect(
                    try FileManager.default.destinationOfSymbolicLink(atPath: link)
                        == "/srv/deployment/\(Self.repo)-cache/revs/\(fixture.commits[0])")
                #expect(try services[host]?.get("version.txt") == "v1\n")
            }
            let pids = services.mapValues(\.pid)

            let fetchAgain = try await runner.run(.fetch, plans: v1)
            expectAll(fetchAgain, .noop)
            expectAll(try await runner.run(.promote, plans: v1), .noop)
            #expect(services.mapValues(\.pid) == pids, "a no-op promote must not restart the service")

            let forced = try plans(bed, services: services, fixture: fixture, version: 1, force: true)
            expectAll(try await runner.run(.fetch, plans: forced), .ok)
            expectAll(try await runner.run(.promote, plans: forced), .ok)
            for host in bed.hosts {
                #expect(services[host]?.pid != pids[host] ?? nil, "a forced promote restarts the service")
                #expect(try services[host]?.get("version.txt") == "v1\n")
            }
        }
    }

    @Test func aTagThatMovedOnTheDeployHostDoesNotBreakTheNextFetch() async throws {
        // A deploy repository recreated, or a pruned tag name reused: the target's cache holds the old tag.
        try await withServices(hosts: 1) { bed, services, fixture, runner in
            try fixture.tag("scap/sync/2026-01-01/0001", at: fixture.commits[0])
            expectAll(try await runner.run(.fetch, plans: try plans(bed, services: services, fixture: fixture, version: 1)), .ok)
            try fixture.tag("scap/sync/2026-01-01/0001", at: fixture.commits[1])
            let v2 = try await runner.run(.fetch, plans: try plans(bed, services: services, fixture: fixture, version: 2))
            expectAll(v2, .ok)
        }
    }

    @Test func v2ThenRollbackReturnsToFinalizedV1() async throws {
        try await withServices { bed, services, fixture, runner in
            let v1 = try plans(bed, services: services, fixture: fixture, version: 1)
            for stage in [DeployStage.fetch, .promote, .finalize] { expectAll(try await runner.run(stage, plans: v1), .ok) }
            let v2 = try plans(bed, services: services, fixture: fixture, version: 2)
            expectAll(try await runner.run(.fetch, plans: v2), .ok)
            expectAll(try await runner.run(.promote, plans: v2), .ok)
            for host in bed.hosts { #expect(try services[host]?.get("version.txt") == "v2\n") }
            let pids = services.mapValues(\.pid)

            let rollback = try await runner.run(.rollback, plans: v2)
            expectAll(rollback, .ok)
            for host in bed.hosts {
                #expect(rollback[host]?.revision == fixture.commits[0])
                #expect(try services[host]?.get("version.txt") == "v1\n")
                #expect(services[host]?.pid != pids[host] ?? nil)
                let inProgress = bed.srvPath(of: host) + "/deployment/\(Self.repo)-cache/.in-progress"
                #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: inProgress)) == nil)
            }
        }
    }

    @Test func portThatNeverOpensFailsWithinTheTimeout() async throws {
        try await withServices(hosts: 1, versions: 1) { bed, services, fixture, runner in
            let host = bed.hosts[0]
            var plan = try plans(bed, services: services, fixture: fixture, version: 1, timeout: 2)[host]!
            plan.serviceRestartCommand = "true"  // nothing starts listening
            plan.servicePort = try freeLoopbackPort()
            _ = try await runner.run(.fetch, plan: plan, on: NodeSet(nodes: [host]))
            let started = ContinuousClock.now
            let outcome = try await runner.run(.promote, plan: plan, on: NodeSet(nodes: [host]))[host]
            #expect(ContinuousClock.now - started < .seconds(15))
            #expect(outcome?.status == .failed)
            #expect(outcome?.message == "Port \(plan.servicePort!) not up within 2s")
        }
    }

    @Test func failingAfterCheckFailsTheStageWithNameAndOutput() async throws {
        try await withServices(hosts: 2, versions: 1) { bed, services, fixture, runner in
            let check = TargetCheck(
                name: "smoke", command: "curl -sf http://127.0.0.1:1/ || { echo 'smoke: service broken'; exit 2; }",
                stage: .promote, timing: .after, timeout: 5)
            let v1 = try plans(bed, services: services, fixture: fixture, version: 1, checks: [check])
            expectAll(try await runner.run(.fetch, plans: v1), .ok)
            let outcomes = try await runner.run(.promote, plans: v1)
            expectAll(outcomes, .failed)
            for outcome in outcomes.values {
                #expect(outcome.message == "Check 'smoke' failed: smoke: service broken")
                #expect(outcome.exitCode == 1)
            }
            #expect(services.values.allSatisfy { $0.pid == nil }, "a failed after-promote check stops before the restart")
        }
    }

    @Test func unreachableHostIsReportedFailedWithoutStatus() async throws {
        try await withServices(hosts: 1, versions: 1) { bed, services, fixture, runner in
            let plan = try plans(bed, services: services, fixture: fixture, version: 1)[bed.hosts[0]]!
            let outcome = try await runner.run(.fetch, plan: plan, on: NodeSet(nodes: ["nohost"]))["nohost"]
            #expect(outcome?.status == .failed)
            #expect(outcome?.message.hasPrefix("no status from the target: SSH failed (exit 255)") == true)
        }
    }
}
