import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Scap

/// Whole deploys over real SSH to a bed of three targets (a canary and two more), each serving the deployed tree.
@Suite(.tags(.sshd), .serialized) struct DeploymentBedTests {
    @Test func deployNoopFailedCheckRollbackAndRevertByRev() async throws {
        try await withTargetBed(hosts: 3) { bed in
            let repo = try DeployRepoFixture(
                groups: [("canary", ["host1"]), ("default", ["host2", "host3"])],
                extraConfig: "service_timeout: 20\n")
            repo.tree.write(
                "scap/checks.yaml",
                """
                checks:
                  smoke:
                    type: command
                    after: promote
                    timeout: 10
                    command: "test ! -e /srv/fail-check || { echo 'smoke: host is broken'; exit 1; }"
                """)
            let v1 = try repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
            var services: [String: WebService] = [:]
            for host in bed.hosts {
                let service = WebService(srvPath: bed.srvPath(of: host), port: try freeLoopbackPort(), repo: "web")
                try service.install()
                services[host] = service
            }
            defer { for service in services.values { service.stop() } }
            let ports = services.mapValues(\.port)
            let config = try repo.config()
            let runner = TargetStageRunner(
                configuration: bed.configuration, batchSize: .count(3), stageTimeout: .seconds(60),
                connectionReuse: .session)
            func logins() -> Int {
                bed.hosts.reduce(0) { total, host in
                    let log = (try? String(contentsOfFile: bed.directory + "/hosts/\(host)/sshd.log", encoding: .utf8)) ?? ""
                    return total + log.components(separatedBy: "Accepted publickey").count - 1
                }
            }
            func deploy(
                _ revision: String? = nil, message: String, prompter: any DeployPrompter = DefaultAnswersPrompter()
            ) async throws -> (DeployOutcome, [String]) {
                let console = ConsoleLines()
                let outcome = try await Deployment(
                    request: repo.request(revision: revision, message: message), config: config, executor: runner,
                    prompter: prompter, console: console.print
                ) { plan, host in
                    plan.servicePort = ports[host]
                    plan.serviceRestartCommand = WebService.restartCommand
                }.run()
                return (outcome, console.all)
            }
            let installed = services
            @Sendable func serving() throws -> [String?] {
                try bed.hosts.map { try installed[$0]?.get("version.txt") }
            }

            // v1 everywhere, canary first; one SSH login per host serves every stage.
            let loginsBefore = logins()
            let (first, firstConsole) = try await deploy(message: "first")
            #expect(logins() - loginsBefore == 3)
            #expect(first.succeeded, "\(first.failure ?? "") \(firstConsole)")
            #expect(try serving() == ["v1\n", "v1\n", "v1\n"])
            #expect(firstConsole.first == "Started deploy [web@\(v1.prefix(7))]: first")
            #expect(firstConsole.last?.hasPrefix("Finished deploy [web@\(v1.prefix(7))]: first (duration: ") == true)
            let stages = try repo.latestLog().filter { $0.extra["event"] == .string("stage") }
            #expect(
                stages.map { "\($0.extra["label"]?.description ?? "")/\($0.extra["stage"]?.description ?? "")" } == [
                    "canary/fetch", "canary/promote", "default/fetch", "default/promote", "canary/finalize",
                    "default/finalize",
                ])
            let events = try repo.latestLog().compactMap { $0.extra["event"]?.description }
            #expect(events.first == "started")
            #expect(events.last == "finished")
            #expect(events.contains("prompt"))
            let pids = services.mapValues(\.pid)

            // The same revision again: nothing to do, no restart.
            let (again, _) = try await deploy(message: "again")
            #expect(again.succeeded)
            for report in again.reports where report.stage == .fetch || report.stage == .promote {
                #expect(report.hosts(.noop) == report.outcomes.keys.sorted(), "\(report.stage) \(report.label)")
            }
            #expect(services.mapValues(\.pid) == pids)

            // v2 with a failing after-promote check on host3: everything goes back to v1.
            let v2 = try repo.commit(version: 2)
            _ = FileManager.default.createFile(atPath: bed.srvPath(of: "host3") + "/fail-check", contents: nil)
            let (broken, brokenConsole) = try await deploy(message: "broken v2")
            #expect(!broken.succeeded)
            #expect(broken.exitCode == 1)
            #expect(broken.failure == "1 of 2 default targets failed, exceeding limit")
            #expect(broken.rolledBack)
            #expect(brokenConsole.contains { $0.contains("[host3]") && $0.contains("smoke: host is broken") })
            #expect(try serving() == ["v1\n", "v1\n", "v1\n"])
            let failures = try repo.latestLog().filter { $0.extra["event"] == .string("host_failed") }
            #expect(failures.map(\.host) == ["host3"])
            try FileManager.default.removeItem(atPath: bed.srvPath(of: "host3") + "/fail-check")

            // v2 for real: at the prompt after the canary, only the canary serves v2. Then back to v1 with --rev.
            let atPrompt = SnapshotPrompter(snapshot: { (try? serving()) ?? [] })
            let (fixed, fixedConsole) = try await deploy(message: "v2", prompter: atPrompt)
            #expect(fixed.succeeded, "\(fixedConsole)")
            #expect(atPrompt.seen == ["canary": ["v2\n", "v1\n", "v1\n"]])
            #expect(try serving() == ["v2\n", "v2\n", "v2\n"])
            let (reverted, _) = try await deploy(v1, message: "revert")
            #expect(reverted.succeeded)
            #expect(try serving() == ["v1\n", "v1\n", "v1\n"])
            #expect(v2 != v1)
            let tags = try repo.git(["tag", "-l", "scap/sync/*"]).split(separator: "\n")
            #expect(tags.count == 5)
        }
    }
}

/// Answers every question with the default, and records what `snapshot` says at each "Continue?" prompt.
final class SnapshotPrompter: DeployPrompter {
    let snapshot: @Sendable () -> [String?]
    private let recorded = Mutex<[String: [String?]]>([:])
    init(snapshot: @escaping @Sendable () -> [String?]) { self.snapshot = snapshot }

    /// What `snapshot` returned at each prompt, by the label of the subgroup just deployed.
    var seen: [String: [String?]] { recorded.withLock { $0 } }

    func shouldContinue(after label: String) async -> ContinueAnswer {
        let state = snapshot()
        recorded.withLock { $0[label] = state }
        return .yes
    }

    func shouldRollback(after failure: String) async -> Bool { true }
}
