import Foundation
import Testing

@testable import SpiderPig

/// A backport through SpiderPig's API with a real `scap backport` child: a change pushed to the upstream
/// repository as Gerrit lays it out, requested by URL and ref, described in the queue with scap's title, project
/// and branch, answered (once by an admin taking over, in the audit log) and deployed to three loopback hosts.
@Suite(.serialized, .enabled(if: SpiderPigBed.toolsInstalled, "needs scripts/setup.sh (the tools venv)"))
struct BackportJobTests {
    @Test func aBackportByURLAndRefIsDescribedAnsweredAndDeployed() async throws {
        try await SpiderPigBed.with(hosts: 3) { bed in
            let subject = "Special:Contributions: count each hidden revision once"
            try await bed.pushChange(4242, subject: subject, files: ["version.txt": "v2\n"])
            let alice = try await bed.login("alice", groups: ["deployers"])
            let carol = try await bed.login("carol", groups: ["sre"])

            // Entries that are not changes: 400 naming the field and each entry, nothing queued.
            let refused = try await alice.send(
                "POST", bed.base + "/api/jobs",
                json: ["kind": "backport", "changes": ["4242 --force", "refs/changes/99/4242/1", "ftp://x/+/1"]])
            #expect(refused.status == 400)
            #expect(refused.json["field"] as? String == "changes")
            #expect(refused.json["invalid"] as? [String] == ["--force", "refs/changes/99/4242/1", "ftp://x/+/1"])
            #expect(
                (try await alice.send("GET", bed.base + "/api/queue").json["jobs"] as? [[String: Any]])?.isEmpty == true
            )

            // A URL and a ref of the same change: one change, only its number reaches scap.
            let created = try await alice.send(
                "POST", bed.base + "/api/jobs",
                json: [
                    "kind": "backport",
                    "changes": ["https://gerrit.example.org/r/c/mediawiki/core/+/4242/1\nrefs/changes/42/4242/1"],
                ])
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"] as? Int)
            let job = try #require(created.json["job"] as? [String: Any])
            #expect((job["command"] as? [String])?.suffix(2) == ["--", "4242"])
            #expect((job["changes"] as? [[String: Any]])?.map { $0["number"] as? Int } == [4242])

            let socket = LiveSocket(
                url: "ws://127.0.0.1:\(bed.port)/ws?job=\(id)&after=0", cookie: alice.cookieHeader(forBase: bed.base))
            defer { socket.cancel() }
            #expect(
                try await alice.send("POST", bed.base + "/api/jobs/\(id)/ready", json: ["ready": true]).status == 200)

            // scap's changes record: the title, project and branch, in the job and in the queue.
            let described = try #require(
                await socket.waitForRecord("changes", timeout: 120),
                "no changes record: \(socket.records.suffix(20)) \(bed.server?.stderr.suffix(2000) ?? "")")
            let change = try #require(((described["payload"] as? [String: Any])?["changes"] as? [[String: Any]])?.first)
            #expect(change["subject"] as? String == subject)
            #expect(change["project"] as? String == "mediawiki/core")
            #expect(change["branch"] as? String == "main")
            let queue = try await alice.send("GET", bed.base + "/api/queue")
            let queued = (queue.json["jobs"] as? [[String: Any]])?.first { $0["id"] as? Int == id }
            #expect((queued?["changes"] as? [[String: Any]])?.first?["subject"] as? String == subject)

            // "Backport the changes?" by the owner; "Continue with deployment?" by an admin taking over.
            for (text, answerer) in [("Backport the changes?", alice), ("Continue with deployment?", carol)] {
                let prompt = try #require(
                    await socket.waitForRecord("interaction", timeout: 180) { $0["prompt"] as? String == text },
                    "no '\(text)': \(socket.records.suffix(20))")
                let interaction = try #require((prompt["payload"] as? [String: Any])?["id"] as? Int)
                let reply = try await answerer.send(
                    "POST", bed.base + "/api/jobs/\(id)/answer", json: ["interaction": interaction, "code": "y"])
                #expect(reply.status == 200, "\(reply.text)")
            }
            let exit = try #require(await socket.waitForRecord("exit", timeout: 180), "\(socket.records.suffix(20))")
            #expect((exit["payload"] as? [String: Any])?["status"] as? Int == 0, "\(socket.records.suffix(30))")
            #expect(try await alice.send("POST", bed.base + "/api/jobs/\(id)/finish").status == 200)

            // The change is merged upstream; the history keeps the described change.
            let merged = try await bed.run("/usr/bin/git", ["-C", bed.upstream, "log", "-1", "--format=%s", "main"])
            #expect(merged.stdout.contains(subject) || merged.stdout.hasPrefix("Merge"), "\(merged.stdout)")
            let history = try await alice.send("GET", bed.base + "/api/jobs")
            let past = (history.json["jobs"] as? [[String: Any]])?.first { $0["id"] as? Int == id }
            #expect((past?["changes"] as? [[String: Any]])?.first?["subject"] as? String == subject)
            #expect(past?["state"] as? String == "finished")

            // The admin's answer on alice's job is a take-over in the audit log.
            let audit = try String(contentsOfFile: bed.directory + "/audit.log", encoding: .utf8)
            let takeover = audit.split(separator: "\n").first { $0.contains(#""action":"admin.takeover""#) }
            #expect(takeover?.contains(#""user":"carol""#) == true && takeover?.contains(#""owner":"alice""#) == true)
        }
    }

    @Test func changeListsAreNumbersURLsOrRefs() throws {
        #expect(try ChangeList.parse(["12345"]) == [12345])
        #expect(try ChangeList.parse([" 1, 2\n3\t1 "]) == [1, 2, 3])
        #expect(try ChangeList.parse(["https://gerrit.wikimedia.org/r/c/mediawiki/core/+/987654"]) == [987654])
        #expect(try ChangeList.parse(["https://gerrit.wikimedia.org/r/c/mediawiki/core/+/987654/3"]) == [987654])
        #expect(try ChangeList.parse(["https://gerrit.wikimedia.org/r/987654"]) == [987654])
        #expect(try ChangeList.parse(["https://gerrit.wikimedia.org/r/#/c/987654/"]) == [987654])
        #expect(try ChangeList.parse(["refs/changes/54/987654/2"]) == [987654])
        #expect(try ChangeList.parse(["refs/changes/05/5/1"]) == [5])
        for bad in [
            "", "0", "-1", "12345678901", "--force", "refs/changes/55/987654/2", "refs/changes/54/987654",
            "refs/heads/main", "javascript:alert(1)", "ftp://gerrit/+/1", "https://user@gerrit/+/1",
            "https://gerrit/r/c/project/+/abc", "https://gerrit/#/q/1", "１２３", "$(id)",
        ] {
            #expect(throws: ChangeListError.self, "\(bad)") { try ChangeList.parse([bad]) }
        }
        #expect(throws: ChangeListError.self) { try ChangeList.parse((1...21).map(String.init)) }
        do {
            _ = try ChangeList.parse(["1 x y"])
            Issue.record("accepted")
        } catch {
            #expect(error.invalid == ["x", "y"])
            #expect(error.description.contains("'x', 'y'"))
        }
    }
}
