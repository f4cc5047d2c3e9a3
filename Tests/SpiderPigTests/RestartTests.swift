import Foundation
import TestSupport
import Testing

/// A restart of `spiderpig serve` while scap runs: the job is marked interrupted with its last status, its
/// process group is gone, no stored record is lost, and the queued job behind it is still queued and asked next.
@Suite(
    .tags(.sshd, .idp), .serialized,
    .enabled(if: SpiderPigBed.toolsInstalled, "needs scripts/setup.sh (the tools venv)"))
struct RestartTests {
    @Test func aRestartInterruptsTheRunningJobAndKeepsTheQueue() async throws {
        try await SpiderPigBed.with(scenario)
    }

    private func scenario(_ bed: SpiderPigBed) async throws {
        let alice = try await bed.login("alice", groups: ["deployers"])
        let bob = try await bed.login("bob", groups: ["deployers"])
        let first = try #require(
            try await alice.send("POST", bed.base + "/api/jobs", json: ["kind": "deploy", "repository": "web"]).json["id"] as? Int)
        let second = try #require(
            try await bob.send("POST", bed.base + "/api/jobs", json: ["kind": "deploy", "repository": "web"]).json["id"] as? Int)
        #expect(try await alice.send("POST", bed.base + "/api/jobs/\(first)/ready", json: ["ready": true]).status == 200)
        let socket = LiveSocket(url: "ws://127.0.0.1:\(bed.port)/ws?job=\(first)", cookie: alice.cookieHeader(forBase: bed.base))
        defer { socket.cancel() }
        #expect(await socket.waitForRecord("interaction", timeout: 120) != nil, "\(socket.records.suffix(10))")
        let before = socket.records.count
        let group = try #require(
            socket.records.first { $0["kind"] as? String == "state" && ($0["payload"] as? [String: Any])?["state"] as? String == "running" })
        #expect(group["seq"] != nil)
        let job = try await alice.send("GET", bed.base + "/api/jobs/\(first)").json["job"] as? [String: Any]
        let status = job?["status"] as? String

        // Stop the server (SIGTERM) while scap waits for the answer, and start it again.
        bed.server?.signal(SIGTERM)
        if let server = bed.server { _ = await server.finish(timeout: 20) }
        try bed.startServer()
        try await bed.waitUntilUp(WebClient())

        let after = try await alice.send("GET", bed.base + "/api/jobs/\(first)")
        let stopped = try #require(after.json["job"] as? [String: Any], "\(after.text)")
        #expect(stopped["state"] as? String == "interrupted")
        #expect(stopped["status"] as? String == status)
        #expect(after.json["pending"] == nil)
        // No scap of that job is left: no process in the deploy directory's process group.
        let leftovers = try await bed.run("/usr/bin/pgrep", ["-f", "--", "--global-lock \(bed.directory)/global.lock"])
        #expect(leftovers.stdout.isEmpty, "scap still running: \(leftovers.stdout)")

        // Every record is still there, numbered without gaps, and the interruption is recorded.
        let replay = LiveSocket(url: "ws://127.0.0.1:\(bed.port)/ws?job=\(first)", cookie: alice.cookieHeader(forBase: bed.base))
        defer { replay.cancel() }
        _ = await replay.waitForRecord("state", timeout: 20) { $0["state"] as? String == "interrupted" }
        let sequences = replay.records.compactMap { $0["seq"] as? Int }
        #expect(sequences.count >= before)
        #expect(sequences == Array(1...(sequences.last ?? 0)))

        // Bob's job kept its place and is asked now.
        let queue = try await bob.send("GET", bed.base + "/api/queue")
        let jobs = queue.json["jobs"] as? [[String: Any]] ?? []
        #expect(jobs.map { $0["id"] as? Int } == [second])
        #expect(jobs.first?["state"] as? String == "awaiting_ready")
    }
}
