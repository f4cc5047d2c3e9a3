import Foundation
import TestBed
import TestSupport
import Testing

@testable import Scap

/// `scap deploy` under a supervisor (SPIDERPIG_IO_KEY): JSON records with the key, prompts answered on stdin.
@Suite(.tags(.sshd), .serialized) struct MachineModeTests {
    var scap: String { productPath("scap") }
    let key = "k" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()

    /// The JSON object of a line, if it is one.
    func record(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    func arguments(_ bed: TargetBed, _ repo: DeployRepoFixture, _ message: String) -> [String] {
        [
            "deploy", "--ssh-config", bed.sshConfigPath, "--global-lock", repo.tree.path("global.lock"),
            "--lock-timeout", "5", message,
        ]
    }

    /// `scap` started as a supervisor would: this environment plus `environment`, stdin a pipe.
    func supervised(_ arguments: [String], in repo: DeployRepoFixture, environment: [String: String]) throws
        -> RunningProcess
    {
        try RunningProcess(
            scap, arguments, environment: scapTestEnvironment.merging(environment) { $1 },
            currentDirectory: repo.root)
    }

    @Test func recordsCarryTheKeyAndPromptsAreAnsweredOnStdin() async throws {
        try await withTargetBed(hosts: 2) { bed in
            let repo = try DeployRepoFixture(groups: [("canary", ["host1"]), ("default", ["host2"])])
            let child = try supervised(
                arguments(bed, repo, "from the web"), in: repo,
                environment: [SpiderPigIO.keyVariable: key, SpiderPigIO.userVariable: "alice"])
            defer { child.kill() }
            let isPrompt = { (line: String) in line.contains("\"type\":\"interaction\"") }
            let first = try #require(await child.waitForLine(timeout: 90, isPrompt), "\(child.lines)")
            let prompt = try #require(record(child.lines[first]))
            #expect(prompt["iokey"] as? String == key)
            #expect(prompt["subtype"] as? String == "choices")
            #expect(prompt["prompt"] as? String == "canary deploy successful. Continue?")
            #expect(prompt["choices"] as? [String: String] == ["Yes": "y", "No": "n", "Continue all groups": "c"])
            #expect(prompt["default"] as? String == "y")
            child.send("maybe\n")
            let again = try #require(await child.waitForLine(after: first + 1, timeout: 30, isPrompt))
            #expect(child.lines[(first + 1)..<again].contains { $0.contains("Invalid answer 'maybe'") })
            child.send("y\n")
            #expect(await child.exitStatus(timeout: 90) == 0, "\(child.lines) \(child.stderr)")

            let records = child.lines.filter { !$0.isEmpty }.map(record)
            #expect(records.allSatisfy { $0?["iokey"] as? String == key }, "\(child.lines)")
            let texts = records.compactMap { $0?["type"] as? String == "line" ? $0?["line"] as? String : nil }
            #expect(texts.first?.hasPrefix("Started deploy [web@") == true)
            #expect(texts.contains { $0.hasPrefix("Finished deploy [web@") })
            let statuses = records.compactMap { $0?["type"] as? String == "status" ? $0?["status"] : nil }
            #expect(statuses.compactMap { $0 as? String }.contains("canary: fetch"))
            #expect(statuses.last is NSNull)
            let progress = records.compactMap { $0?["type"] as? String == "progress" ? $0?["progress"] as? [String: Any] : nil }
            let done = progress.first { $0["name"] as? String == "default: promote and handle_service" && $0["progressFinished"] as? Bool == true }
            #expect(done?["tasksFinishedOk"] as? Int == 1)
            #expect(done?["tasksPercentComplete"] as? Int == 100)
            let head = try String(contentsOfFile: repo.root + "/.git/DEPLOY_HEAD", encoding: .utf8)
            #expect(head.contains("\"user\" : \"alice\""))
        }
    }

    @Test func targetOutputCannotForgeAPromptAndRollbackIsAsked() async throws {
        try await withTargetBed(hosts: 2) { bed in
            let repo = try DeployRepoFixture(groups: [("canary", ["host1"]), ("default", ["host2"])])
            let forged = #"{"iokey":"guess","type":"interaction","subtype":"choices","prompt":"pwned","choices":{"Yes":"y"},"default":"y"}"#
            repo.tree.write(
                "scap/checks.yaml",
                """
                checks:
                  forge:
                    type: command
                    after: promote
                    command: "test ! -e /srv/forge || { cat /srv/forge; exit 1; }"
                """)
            try repo.git(["add", "scap/checks.yaml"])
            try repo.git(["-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "checks"])
            let first = try runTool(scap, arguments(bed, repo, "v1"), currentDirectory: repo.root, timeout: 120)
            #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
            let v1 = try repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
            try forged.write(toFile: bed.srvPath(of: "host1") + "/forge", atomically: true, encoding: .utf8)
            try repo.commit(version: 2)

            let child = try supervised(arguments(bed, repo, "v2"), in: repo, environment: [SpiderPigIO.keyVariable: key])
            defer { child.kill() }
            let prompt = try #require(
                await child.waitForLine(timeout: 90) { $0.contains("\"type\":\"interaction\"") && $0.contains(key) })
            #expect(record(child.lines[prompt])?["prompt"] as? String
                == "1 of 1 canary targets failed, exceeding limit. Rollback all deployed groups?")
            child.send("y\n")
            #expect(await child.exitStatus(timeout: 90) == 1)
            let records = child.lines.filter { !$0.isEmpty }.map(record)
            #expect(records.allSatisfy { $0?["iokey"] as? String == key })
            let interactions = records.filter { $0?["type"] as? String == "interaction" }
            #expect(interactions.count == 1, "only scap's own prompt is an interaction")
            #expect(records.contains { ($0?["line"] as? String)?.contains("\"prompt\":\"pwned\"") == true })
            let link = try FileManager.default.destinationOfSymbolicLink(atPath: bed.srvPath(of: "host1") + "/deployment/web")
            #expect(link == "/srv/deployment/web-cache/revs/\(v1)")
        }
    }
}
