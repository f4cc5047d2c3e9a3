import Foundation
import TestBed
import TestSupport
import Testing

@testable import Scap

/// Deploys that go wrong on real targets: Ctrl-C in the middle, a host that is down, a service that never listens.
@Suite(.tags(.sshd), .serialized) struct DeployFailureBedTests {
    var scap: String { productPath("scap") }

    /// The commit each host's deploy symlink points at, when it points at a complete checkout of it.
    func completeRevision(_ bed: TargetBed, _ host: String) throws -> String? {
        let link = bed.srvPath(of: host) + "/deployment/web"
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) else { return nil }
        let sha = (target as NSString).lastPathComponent
        let directory = bed.srvPath(of: host) + "/deployment/web-cache/revs/" + sha
        let head = try runTool("/usr/bin/git", ["-C", directory, "rev-parse", "HEAD"])
        let status = try runTool("/usr/bin/git", ["-C", directory, "status", "--porcelain"])
        guard head.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == sha, status.stdout.isEmpty,
            FileManager.default.fileExists(atPath: directory + "/version.txt")
        else { return "incomplete \(sha)" }
        return sha
    }

    @Test func ctrlCStopsTheStageRollsBackAndLeavesCompleteRevisions() async throws {
        try await withTargetBed(hosts: 3) { bed in
            let repo = try DeployRepoFixture(groups: [("canary", ["host1"]), ("default", ["host2", "host3"])])
            let arguments = [
                "deploy", "--ssh-config", bed.sshConfigPath, "--global-lock", repo.tree.path("global.lock"),
                "--lock-timeout", "5",
            ]
            let first = try runTool(scap, arguments + ["v1"], currentDirectory: repo.root, timeout: 120)
            #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
            let v1 = try repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
            // v2 holds the default group's promote for 30 s in a check.
            repo.tree.write(
                "scap/checks.yaml",
                """
                checks:
                  slow:
                    type: command
                    before: promote
                    group: default
                    timeout: 60
                    command: "sleep 30"
                """)
            let v2 = try repo.commit(version: 2)

            let child = try RunningProcess(scap, arguments + ["v2"], environment: scapTestEnvironment, currentDirectory: repo.root)
            defer { child.kill() }
            let fetched = await child.waitForLine(timeout: 90) { $0.hasPrefix("default: fetch stage(s): ok: 2") }
            #expect(fetched != nil, "\(child.lines) \(child.stderr)")
            try await Task.sleep(for: .seconds(1))
            let interrupted = ContinuousClock.now
            child.signal(SIGINT)
            let status = await child.exitStatus(timeout: 60)
            #expect(status == 130, "\(child.lines) \(child.stderr)")
            #expect(ContinuousClock.now - interrupted < .seconds(25), "the 30 s check was stopped, not waited for")
            #expect(child.lines.contains { $0.contains("Interrupted (SIGINT)") })
            #expect(child.lines.contains("deployment interrupted (Ctrl+C)"))
            #expect(child.lines.contains { $0.hasPrefix("Failed deploy [web@\(v2.prefix(7))]") && $0.contains("rolled back") })
            // The canary had v2 and went back; the others never left v1. All complete.
            for host in bed.hosts { #expect(try completeRevision(bed, host) == v1, "\(host)") }
            // The lock was released.
            let lock = try await DeployLock.acquire(
                path: repo.tree.path("web.lock"), globalPath: repo.tree.path("global.lock"), reason: "t", timeout: .zero)
            lock.release()
        }
    }

    @Test func aDownHostCountsAgainstTheFailureLimit() async throws {
        try await withTargetBed(hosts: 3) { bed in
            let repo = try DeployRepoFixture(groups: [("default", ["host1", "host2", "host3"])])
            _ = try runTool(productPath("testbed"), ["down", "--dir", bed.directory, "host3"])
            let runner = TargetStageRunner(
                configuration: bed.configuration, stageTimeout: .seconds(60), connectionReuse: .session)
            func deploy(_ overrides: [String]) async throws -> DeployOutcome {
                try await Deployment(
                    request: repo.request(message: "limit"), config: try repo.config(overrides: overrides),
                    executor: runner, console: { _ in }
                ).run()
            }
            let tolerated = try await deploy(["failure_limit:1"])
            #expect(tolerated.succeeded)
            let fetch = try #require(tolerated.reports.first { $0.stage == .fetch })
            #expect(fetch.hosts(.failed) == ["host3"])
            #expect(fetch.outcomes["host3"]?.message.contains("SSH failed") == true)
            let v1 = try repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try completeRevision(bed, "host1") == v1)
            #expect(try completeRevision(bed, "host3") == nil)

            try repo.commit(version: 2)
            let refused = try await deploy(["failure_limit:0"])
            #expect(!refused.succeeded)
            #expect(refused.failure == "1 of 3 default targets failed, exceeding limit")
            #expect(refused.rolledBack)
            #expect(try completeRevision(bed, "host1") == v1)
            #expect(try completeRevision(bed, "host2") == v1)
        }
    }

    @Test func aServiceThatNeverListensFailsWithinServiceTimeout() async throws {
        try await withTargetBed(hosts: 1) { bed in
            let port = try freeLoopbackPort()
            let repo = try DeployRepoFixture(
                groups: [("default", ["host1"])],
                extraConfig: "service_name: web\nservice_port: \(port)\nservice_timeout: 3\n")
            let runner = TargetStageRunner(
                configuration: bed.configuration, stageTimeout: .seconds(60), connectionReuse: .session)
            let started = ContinuousClock.now
            let outcome = try await Deployment(
                request: repo.request(message: "no port"), config: try repo.config(), executor: runner,
                console: { _ in }
            ) { plan, _ in
                plan.serviceRestartCommand = "true"
            }.run()
            let elapsed = ContinuousClock.now - started
            #expect(!outcome.succeeded)
            let promote = try #require(outcome.reports.first { $0.stage == .promote })
            #expect(promote.outcomes["host1"]?.message.contains("Port \(port) not up within 3s") == true)
            #expect(elapsed < .seconds(20), "\(elapsed)")
        }
    }
}
