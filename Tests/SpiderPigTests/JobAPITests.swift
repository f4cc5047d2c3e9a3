import Foundation
import TestSupport
import Testing

/// The HTTP and WebSocket API against a running `spiderpig serve`, the OIDC provider mock as IdP, and a real
/// `scap deploy` child deploying to loopback sshd hosts.
@Suite(
    .tags(.sshd, .prometheus, .idp), .serialized,
    .enabled(if: SpiderPigBed.toolsInstalled, "needs scripts/setup.sh (the tools venv)"))
struct JobAPITests {
    @Test func aDeployIsQueuedAskedRunAnsweredAndFinished() async throws {
        try await SpiderPigBed.with(prometheus: true, scenario)
    }

    private func scenario(_ bed: SpiderPigBed) async throws {
        let alice = try await bed.login("alice", groups: ["deployers"])
        let bob = try await bed.login("bob", groups: ["deployers"])
        let viewer = try await bed.login("vera", groups: ["watchers"])

        // CSRF: a state-changing request without the token is refused.
        let savedToken = alice.csrf
        alice.csrf = ""
        let forged = try await alice.send("POST", bed.base + "/api/jobs", json: ["kind": "deploy", "repository": "web"])
        #expect(forged.status == 403)
        alice.csrf = savedToken
        // A viewer may not request.
        #expect(try await viewer.send("POST", bed.base + "/api/jobs", json: ["kind": "deploy", "repository": "web"]).status == 403)
        // A revision that would be an option is refused.
        let option = try await alice.send(
            "POST", bed.base + "/api/jobs", json: ["kind": "deploy", "repository": "web", "revision": "--force"])
        #expect(option.status == 400)

        let created = try await alice.send(
            "POST", bed.base + "/api/jobs",
            json: ["kind": "deploy", "repository": "web", "message": "<script>alert(1)</script> from the web"])
        #expect(created.status == 201, "\(created.text)")
        let first = try #require(created.json["id"] as? Int)
        let second = try #require(
            try await bob.send("POST", bed.base + "/api/jobs", json: ["kind": "deploy", "repository": "web"]).json["id"] as? Int)

        let url = "ws://127.0.0.1:\(bed.port)/ws?job=\(first)&after=0"
        let socket = LiveSocket(url: url, cookie: alice.cookieHeader(for: URL(string: bed.base)!))
        defer { socket.cancel() }
        let queue = await socket.waitFor(timeout: 20) { $0["type"] as? String == "queue" }
        let jobs = try #require(queue?["jobs"] as? [[String: Any]])
        #expect(jobs.map { $0["id"] as? Int } == [first, second])
        #expect(jobs.map { $0["state"] as? String } == ["awaiting_ready", "queued"])

        // Only the owner answers "Ready to deploy?".
        #expect(try await bob.send("POST", bed.base + "/api/jobs/\(first)/ready", json: ["ready": true]).status == 403)
        let ready = try await alice.send("POST", bed.base + "/api/jobs/\(first)/ready", json: ["ready": true])
        #expect(ready.status == 200, "\(ready.text)")

        let prompt = try #require(
            await socket.waitForRecord("interaction", timeout: 120),
            "no prompt: \(socket.records.suffix(20)) \(bed.server?.stderr ?? "")")
        let payload = try #require(prompt["payload"] as? [String: Any])
        #expect(payload["prompt"] as? String == "canary deploy successful. Continue?")
        let interaction = try #require(payload["id"] as? Int)
        let choices = (payload["choices"] as? [[String: String]] ?? []).map { $0["code"] ?? "" }
        #expect(choices == ["y", "n", "c"])

        // Another user's answer, an answer that is not a code: refused.
        let theirs = try await bob.send(
            "POST", bed.base + "/api/jobs/\(first)/answer", json: ["interaction": interaction, "code": "y"])
        #expect(theirs.status == 403)
        let junk = try await alice.send(
            "POST", bed.base + "/api/jobs/\(first)/answer", json: ["interaction": interaction, "code": "y\nn"])
        #expect(junk.status == 400)
        let answer = try await alice.send(
            "POST", bed.base + "/api/jobs/\(first)/answer", json: ["interaction": interaction, "code": "y"])
        #expect(answer.status == 200, "\(answer.text)")
        let again = try await alice.send(
            "POST", bed.base + "/api/jobs/\(first)/answer", json: ["interaction": interaction, "code": "y"])
        #expect(again.status == 409)

        let exit = try #require(await socket.waitForRecord("exit", timeout: 120), "\(socket.records.suffix(20))")
        #expect((exit["payload"] as? [String: Any])?["status"] as? Int == 0)

        // Sequence numbers: from 1, no gap, no double.
        let sequences = socket.records.compactMap { $0["seq"] as? Int }
        #expect(sequences == Array(1...(sequences.last ?? 0)))
        let lines = socket.records.filter { $0["kind"] as? String == "line" }
            .compactMap { ($0["payload"] as? [String: Any])?["line"] as? String }
        #expect(lines.contains { $0.hasPrefix("Started deploy [web@") })
        #expect(socket.records.contains { $0["kind"] as? String == "answer" })

        // The lane is held until the owner finishes; then bob is asked.
        let held = try await alice.send("GET", bed.base + "/api/queue")
        #expect((held.json["jobs"] as? [[String: Any]])?.first { $0["id"] as? Int == second }?["state"] as? String == "queued")
        #expect(try await bob.send("POST", bed.base + "/api/jobs/\(first)/finish").status == 403)
        #expect(try await alice.send("POST", bed.base + "/api/jobs/\(first)/finish").status == 200)
        let asked = await socket.waitFor(timeout: 10) { message in
            guard message["type"] as? String == "queue", let jobs = message["jobs"] as? [[String: Any]] else { return false }
            return jobs.first?["id"] as? Int == second && jobs.first?["state"] as? String == "awaiting_ready"
        }
        #expect(asked != nil)

        // Bob's deploy: its canary check fails, scap asks whether to roll back, bob says yes; the job fails and
        // the lane is free again.
        let checks = "checks:\n  smoke:\n    type: command\n    after: promote\n    command: \"false\"\n"
        try checks.write(toFile: bed.repository + "/scap/checks.yaml", atomically: true, encoding: .utf8)
        for arguments in [["add", "scap/checks.yaml"], ["-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "v2"]] {
            #expect(try await bed.run("/usr/bin/git", ["-C", bed.repository] + arguments).status == 0)
        }
        let bobSocket = LiveSocket(url: "ws://127.0.0.1:\(bed.port)/ws?job=\(second)", cookie: bob.cookieHeader(forBase: bed.base))
        defer { bobSocket.cancel() }
        #expect(try await bob.send("POST", bed.base + "/api/jobs/\(second)/ready", json: ["ready": true]).status == 200)
        let rollback = try #require(
            await bobSocket.waitForRecord("interaction", timeout: 120), "\(bobSocket.records.suffix(10))")
        let rollbackPayload = try #require(rollback["payload"] as? [String: Any])
        #expect((rollbackPayload["prompt"] as? String)?.hasSuffix("Rollback all deployed groups?") == true)
        let rollbackID = try #require(rollbackPayload["id"] as? Int)
        #expect(
            try await bob.send("POST", bed.base + "/api/jobs/\(second)/answer", json: ["interaction": rollbackID, "code": "y"])
                .status == 200)
        let failed = try #require(await bobSocket.waitForRecord("exit", timeout: 120))
        #expect((failed["payload"] as? [String: Any])?["state"] as? String == "failed")
        let free = try await bob.send("GET", bed.base + "/api/queue")
        #expect((free.json["jobs"] as? [[String: Any]])?.isEmpty == true)

        // Resume: a new viewer from sequence N gets N+1... exactly.
        let middle = sequences.count / 2
        let resumed = LiveSocket(
            url: "ws://127.0.0.1:\(bed.port)/ws?job=\(first)&after=\(middle)", cookie: alice.cookieHeader(for: URL(string: bed.base)!))
        defer { resumed.cancel() }
        _ = await resumed.waitForRecord("state", timeout: 20) { $0["state"] as? String == "finished" }
        let resumedSequences = resumed.records.compactMap { $0["seq"] as? Int }
        #expect(resumedSequences.first == middle + 1)
        #expect(resumedSequences == Array((middle + 1)...(resumedSequences.last ?? middle + 1)))

        // The download is plain text, the job history has the outcome.
        let log = try await viewer.send("GET", bed.base + "/api/jobs/\(first)/log")
        #expect(log.status == 200)
        #expect(log.text.contains("Started deploy [web@"))
        #expect(log.text.contains("[alice answered 'y']"))
        let history = try await viewer.send("GET", bed.base + "/api/jobs")
        #expect((history.json["jobs"] as? [[String: Any]])?.first { $0["id"] as? Int == first }?["state"] as? String == "finished")

        // The monitoring panel's data comes from the real Prometheus.
        if bed.prometheus != nil {
            var points = 0
            for _ in 0..<40 where points < 2 {
                let monitoring = try await viewer.send("GET", bed.base + "/api/jobs/\(first)/monitoring")
                #expect(monitoring.json["configured"] as? Bool == true, "\(monitoring.text)")
                let series = monitoring.json["series"] as? [[String: Any]] ?? []
                #expect(series.map { $0["name"] as? String } == ["requests per second", "targets up"])
                points = (series.last?["points"] as? [[Double]])?.count ?? 0
                if points < 2 { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(points >= 2)
        }

        // Pages carry the CSP without inline scripts; no job text is rendered into HTML by the server.
        let page = try await alice.send("GET", bed.base + "/jobs/\(first)")
        #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        #expect(!page.text.contains("<script>alert"))
        #expect(!page.text.contains("<script>\n"))

        // The audit log names who did what, with request ids.
        let audit = try String(contentsOfFile: bed.directory + "/audit.log", encoding: .utf8)
        #expect(audit.contains(#""action":"job.answer""#))
        #expect(audit.contains(#""request_id""#))
    }
}

extension WebClient {
    func cookieHeader(forBase base: String) -> String { cookieHeader(for: URL(string: base)!) }
}
