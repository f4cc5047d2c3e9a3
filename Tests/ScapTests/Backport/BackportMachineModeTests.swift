import Foundation
import TestBed
import TestSupport
import Testing

@testable import Scap

/// `scap backport` under a supervisor (SPIDERPIG_IO_KEY): the whole transcript as JSON records carrying the key,
/// every prompt an interaction answered on stdin, and a target's output never a prompt.
@Suite(.tags(.sshd), .serialized) struct BackportMachineModeTests {
    let key = "k" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()

    func record(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    @Test func fullTranscriptWithAnswersOnStdinAndAForgedPrompt() async throws {
        try await withServiceBed { services in
            let tests = BackportBedTests()
            let (fixture, _) = try await tests.prepare(services)
            // A check on the canary prints a forged interaction and fails.
            let forged =
                #"{"iokey":"guess","type":"interaction","subtype":"choices","prompt":"pwned","choices":{"Yes":"y"},"default":"y"}"#
            try fixture.change(
                601,
                files: [
                    "version.txt": "v2\n",
                    "scap/checks.yaml": """
                    checks:
                      forge:
                        type: command
                        after: promote
                        group: canary
                        command: |
                          echo '\(forged)'; exit 1
                    """,
                ], subject: "Embargoed fix", trailer: "Security: yes")
            let child = try RunningProcess(
                productPath("scap"),
                [
                    "backport", "--ssh-config", services.bed.sshConfigPath, "--global-lock",
                    fixture.tree.path("global.lock"), "--lock-timeout", "5", "601",
                ],
                environment: scapTestEnvironment.merging([
                    SpiderPigIO.keyVariable: key, SpiderPigIO.userVariable: "alice",
                ]) { $1 },
                currentDirectory: fixture.root)
            defer { child.kill() }
            let isPrompt = { (line: String) in line.contains("\"type\":\"interaction\"") && line.contains(key) }
            var after = 0
            var prompts: [[String: Any]] = []
            for answer in ["y", "y", "b", "a"] {
                guard let index = await child.waitForLine(after: after, timeout: 120, isPrompt) else {
                    Issue.record("no prompt after \(prompts.count) answers: \(child.lines) \(child.stderr)")
                    return
                }
                prompts.append(try #require(record(child.lines[index])))
                after = index + 1
                child.send(answer + "\n")
            }
            #expect(await child.exitStatus(timeout: 120) == 1, "\(child.lines) \(child.stderr)")
            #expect(
                prompts.map { $0["prompt"] as? String } == [
                    "Backport the changes?", "Continue with deployment?",
                    prompts[2]["prompt"] as? String, BackportSync.rollbackAcknowledgement,
                ])
            #expect(
                (prompts[2]["prompt"] as? String)?.hasPrefix("canary: sync failed: 1 of 1 canary targets failed")
                    == true)
            #expect(
                prompts[1]["choices"] as? [String: String] == [
                    "Yes, continue with deployment": "y", "No, roll back deployment and terminate": "n",
                ])
            #expect(prompts[1]["default"] as? String == "n")
            #expect(prompts[2]["choiceOrder"] as? [String] == ["r", "i", "b", "e"])
            #expect(prompts[2]["default"] as? String == "b")
            #expect(prompts[3]["choices"] as? [String: String] == ["Acknowledge and release the deployment lock": "a"])

            let records = child.lines.filter { !$0.isEmpty }.map(record)
            #expect(records.allSatisfy { $0?["iokey"] as? String == key }, "\(child.lines)")
            #expect(records.filter { $0?["type"] as? String == "interaction" }.count == 4, "only scap's own prompts")
            #expect(records.contains { ($0?["line"] as? String)?.contains("\"prompt\":\"pwned\"") == true })
            let statuses = records.compactMap { $0?["type"] as? String == "status" ? $0?["status"] : nil }
            let named = statuses.compactMap { $0 as? String }
            for expected in [
                "Checking changes", "Merging changes", "testservers: sync", "testservers: smoke tests",
                "Awaiting user interaction", "canary: sync", "Rolling back",
            ] {
                #expect(named.contains(expected), "\(named)")
            }
            #expect(statuses.last is NSNull)
            let progress = records.compactMap {
                $0?["type"] as? String == "progress" ? $0?["progress"] as? [String: Any] : nil
            }
            #expect(
                progress.contains {
                    $0["name"] as? String == "testservers: fetch" && $0["progressFinished"] as? Bool == true
                })
            #expect(progress.contains { $0["name"] as? String == "canary: rollback" })
            // The changes record: number, project, branch; a security change's subject stays out of it.
            let listed = records.compactMap {
                $0?["type"] as? String == "changes" ? $0?["changes"] as? [[String: Any]] : nil
            }
            #expect(listed.count == 1)
            let change = try #require(listed.first?.first)
            #expect(change["number"] as? Int == 601 && change["patchset"] as? Int == 1)
            #expect(change["project"] as? String == "web" && change["branch"] as? String == "main")
            #expect(change["security"] as? Bool == true && change["subject"] == nil)
            let sensitive = records.filter { $0?["type"] as? String == "line" && $0?["sensitive"] as? Bool == true }
            #expect(sensitive.contains { ($0?["line"] as? String)?.contains("Embargoed fix") == true })
            #expect(
                !records.contains {
                    $0?["sensitive"] as? Bool == false && ($0?["line"] as? String)?.contains("Embargoed fix") == true
                })
            for host in services.bed.hosts { #expect(try services.version(host) == "v1", "\(host)") }
        }
    }

    @Test func ctrlCDuringTheCanaryWaitOffersRollbackAndExits130() async throws {
        try await withServiceBed { services in
            let (fixture, _) = try await BackportBedTests().prepare(services)
            try fixture.change(611, files: ["version.txt": "v2\n"], subject: "Interrupted")
            let child = try RunningProcess(
                productPath("scap"),
                [
                    "backport", "--ssh-config", services.bed.sshConfigPath, "--global-lock",
                    fixture.tree.path("global.lock"), "--lock-timeout", "5", "--yes", "-D", "canary_wait_time:120",
                    "-D", "prometheus_url:http://127.0.0.1:9", "611",
                ],
                environment: scapTestEnvironment.merging([SpiderPigIO.keyVariable: key]) { $1 },
                currentDirectory: fixture.root)
            defer { child.kill() }
            let isPrompt = { (line: String) in line.contains("\"type\":\"interaction\"") && line.contains(key) }
            let first = try #require(await child.waitForLine(timeout: 120, isPrompt), "\(child.lines) \(child.stderr)")
            #expect(record(child.lines[first])?["prompt"] as? String == "Continue with deployment?")
            child.send("y\n")
            let waiting = try #require(
                await child.waitForLine(after: first + 1, timeout: 120) {
                    $0.contains("Waiting 120s (canary_wait_time)")
                })
            child.signal(SIGINT)
            let menu = try #require(await child.waitForLine(after: waiting + 1, timeout: 60, isPrompt))
            let prompt = try #require(record(child.lines[menu]))
            #expect(
                prompt["prompt"] as? String
                    == "backport interrupted (Ctrl+C) during canary: error-rate gate. What next?")
            #expect(prompt["choiceOrder"] as? [String] == ["b", "e"])
            child.send("b\n")
            let acknowledgement = try #require(await child.waitForLine(after: menu + 1, timeout: 120, isPrompt))
            #expect(record(child.lines[acknowledgement])?["prompt"] as? String == BackportSync.rollbackAcknowledgement)
            child.send("a\n")
            #expect(await child.exitStatus(timeout: 60) == 130, "\(child.lines) \(child.stderr)")
            for host in services.bed.hosts { #expect(try services.version(host) == "v1", "\(host)") }
        }
    }
}
