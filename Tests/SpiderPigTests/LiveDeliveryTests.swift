import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import SpiderPig
import Synchronization
import Testing

/// The live-delivery path against the running server: `spiderpig admin` (another process, writing only the
/// database) closing open WebSockets within a second; a viewer too slow to keep up made to resume from storage
/// with nothing lost or doubled; a crash of the server leaving no scap behind after the restart; log retention.
@Suite(.serialized, .enabled(if: SpiderPigBed.toolsInstalled, "needs scripts/setup.sh (the tools venv)"))
struct LiveDeliveryTests {
    @Test func adminCommandsFromTheCLICloseOpenWebSocketsAtOnce() async throws {
        try await SpiderPigBed.with(hosts: 0) { bed in
            let vera = try await bed.login("vera", groups: ["watchers"])
            let bystander = LiveSocket(
                url: "ws://127.0.0.1:\(bed.port)/ws", cookie: vera.cookieHeader(forBase: bed.base))
            defer { bystander.cancel() }
            for (command, user) in [(["logout", "bob"], "bob"), (["ban", "dave"], "dave"), (["logout-all"], "erin")] {
                let client = try await bed.login(user, groups: ["deployers"])
                let socket = LiveSocket(
                    url: "ws://127.0.0.1:\(bed.port)/ws", cookie: client.cookieHeader(forBase: bed.base))
                defer { socket.cancel() }
                #expect(await socket.waitFor(timeout: 20) { $0["type"] as? String == "queue" } != nil)
                // Far from the 10 s heartbeat, which would also close it.
                let result = try await bed.spiderpig(["admin"] + command)
                #expect(result.status == 0, "\(result.stderr)")
                let issued = Date()
                #expect(await socket.waitClosed(timeout: 2), "spiderpig admin \(command) left \(user)'s WebSocket open")
                #expect(socket.closeCode == 1008)
                print(
                    "spiderpig admin \(command.joined(separator: " ")): WebSocket closed \(Int(Date().timeIntervalSince(issued) * 1000)) ms after the command"
                )
                if command != ["logout-all"] { #expect(!bystander.closed, "another user's WebSocket was closed") }
            }
            #expect(await bystander.waitClosed(timeout: 2), "logout-all left a WebSocket open")
        }
    }

    /// Writes an executable stand-in scap named `name` into the bed's directory; returns its path.
    static func script(_ bed: SpiderPigBed, _ name: String, _ text: String) throws -> String {
        let path = bed.directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    /// A stand-in scap writing `lines` lines as fast as it can, then exiting.
    static func floodingScap(_ bed: SpiderPigBed, lines: Int) throws -> String {
        try script(
            bed, "flooding-scap",
            """
            #!/usr/bin/env python3
            import os, sys
            key = os.environ["SPIDERPIG_IO_KEY"]
            for i in range(\(lines)):
                sys.stdout.write('{"iokey": "%s", "type": "line", "line": "line %d of a long deployment log, padded to look like one: %s", "sensitive": false}\\n' % (key, i, "x" * 120))
            """)
    }

    @Test func aViewerTooSlowToKeepUpResumesFromStorageWithNothingLostOrDoubled() async throws {
        let lines = 60000
        try await SpiderPigBed.with(
            hosts: 0, scap: { try Self.floodingScap($0, lines: lines) }, extraConfig: "live_queue_bytes: 65536"
        ) { bed in
            let alice = try await bed.login("alice", groups: ["deployers"])
            let id = try #require(
                try await alice.send("POST", bed.base + "/api/jobs", json: ["kind": "deploy", "repository": "web"])
                    .json["id"] as? Int)
            // A viewer that reads nothing for 8 s (the socket's buffers fill, the server's writes wait, its queue
            // overflows), then everything.
            let messages = Mutex<[String]>([])
            let sawExit = Mutex(false)
            var headers = HTTPFields()
            headers[.cookie] = alice.cookieHeader(forBase: bed.base)
            let viewer = Task {
                _ = try? await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(bed.port)/ws?job=\(id)",
                    configuration: .init(maxFrameSize: 1 << 22, additionalHeaders: headers),
                    logger: Logger(label: "slow")
                ) { inbound, _, _ in
                    try await Task.sleep(for: .seconds(8))
                    for try await message in inbound.messages(maxSize: 1 << 24) {
                        guard case .text(let text) = message else { continue }
                        messages.withLock { $0.append(text) }
                        if text.contains(#""kind":"exit""#) {
                            sawExit.withLock { $0 = true }
                            return
                        }
                    }
                }
            }
            defer { viewer.cancel() }
            try await Task.sleep(for: .milliseconds(500))
            #expect(
                try await alice.send("POST", bed.base + "/api/jobs/\(id)/ready", json: ["ready": true]).status == 200)
            let deadline = Date().addingTimeInterval(180)
            while Date() < deadline && !sawExit.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(200)) }
            #expect(sawExit.withLock { $0 }, "the slow viewer never got the job's exit")

            let records = messages.withLock { $0 }.compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }.filter { $0["type"] as? String == "records" }.flatMap { $0["records"] as? [[String: Any]] ?? [] }
            let sequences = records.compactMap { $0["seq"] as? Int }
            #expect(sequences == Array(1...(sequences.last ?? 1)), "gaps or doubles in \(sequences.count) records")
            let texts = records.compactMap { ($0["payload"] as? [String: Any])?["line"] as? String }
            #expect(texts.count == lines)
            #expect(
                texts.first?.hasPrefix("line 0 of") == true && texts.last?.hasPrefix("line \(lines - 1) of") == true)
            let log = (bed.server?.stderr ?? "") + (bed.server?.stdout ?? "")
            #expect(log.contains("fell behind: it resumes from storage"), "the viewer's queue never overflowed")
        }
    }

    static let sleepyScap = """
        #!/bin/sh
        printf '{"iokey":"%s","type":"status","status":"syncing canary"}\\n' "$SPIDERPIG_IO_KEY"
        echo "waiting"
        sleep 600
        """

    @Test func aCrashedServerLeavesNoScapBehindAfterItsRestart() async throws {
        try await SpiderPigBed.with(
            hosts: 0,
            scap: { try Self.script($0, "sleepy-scap", Self.sleepyScap) }
        ) { bed in
            let alice = try await bed.login("alice", groups: ["deployers"])
            let id = try #require(
                try await alice.send("POST", bed.base + "/api/jobs", json: ["kind": "deploy", "repository": "web"])
                    .json["id"] as? Int)
            let socket = LiveSocket(
                url: "ws://127.0.0.1:\(bed.port)/ws?job=\(id)", cookie: alice.cookieHeader(forBase: bed.base))
            defer { socket.cancel() }
            #expect(
                try await alice.send("POST", bed.base + "/api/jobs/\(id)/ready", json: ["ready": true]).status == 200)
            #expect(await socket.waitForRecord("line", timeout: 30) { $0["line"] as? String == "waiting" } != nil)
            let stored = socket.records.count

            // SIGKILL: no shutdown code runs, scap lives on without its parent.
            bed.server?.signal(SIGKILL)
            if let server = bed.server { _ = await server.finish(timeout: 10) }
            let orphan = try await bed.run("/usr/bin/pgrep", ["-f", "--", bed.directory + "/sleepy-scap"])
            #expect(!orphan.stdout.isEmpty, "scap did not outlive the server: the test proves nothing")

            try bed.startServer()
            try await bed.waitUntilUp(WebClient())
            var leftovers = "?"
            for _ in 0..<50 where !leftovers.isEmpty {
                leftovers = try await bed.run("/usr/bin/pgrep", ["-f", "--", bed.directory + "/sleepy-scap"]).stdout
                if !leftovers.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(leftovers.isEmpty, "scap still runs after the restart: \(leftovers)")
            let job = try #require(
                try await alice.send("GET", bed.base + "/api/jobs/\(id)").json["job"] as? [String: Any])
            #expect(job["state"] as? String == "interrupted")
            #expect(job["status"] as? String == "syncing canary")

            let replay = LiveSocket(
                url: "ws://127.0.0.1:\(bed.port)/ws?job=\(id)", cookie: alice.cookieHeader(forBase: bed.base))
            defer { replay.cancel() }
            _ = await replay.waitForRecord("state", timeout: 20) { $0["state"] as? String == "interrupted" }
            let sequences = replay.records.compactMap { $0["seq"] as? Int }
            #expect(sequences.count == stored + 1)
            #expect(sequences == Array(1...(sequences.last ?? 1)))
        }
    }

    static let shortScap = """
        #!/bin/sh
        printf '{"iokey":"%s","type":"line","line":"deployed","sensitive":false}\\n' "$SPIDERPIG_IO_KEY"
        """

    @Test func logsOlderThanTheRetentionArePrunedAndTheHistoryStays() async throws {
        try await SpiderPigBed.with(
            hosts: 0,
            scap: { try Self.script($0, "short-scap", Self.shortScap) }, extraConfig: "log_retention_days: 2"
        ) { bed in
            let alice = try await bed.login("alice", groups: ["deployers"])
            var ids: [Int] = []
            for _ in 0..<2 {
                let id = try #require(
                    try await alice.send("POST", bed.base + "/api/jobs", json: ["kind": "deploy", "repository": "web"])
                        .json["id"] as? Int)
                #expect(
                    try await alice.send("POST", bed.base + "/api/jobs/\(id)/ready", json: ["ready": true]).status
                        == 200)
                var state = ""
                for _ in 0..<100 where state != "deployed" {
                    state =
                        (try await alice.send("GET", bed.base + "/api/jobs/\(id)").json["job"] as? [String: Any])?[
                            "state"] as? String ?? ""
                    if state != "deployed" { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(state == "deployed")
                #expect(try await alice.send("POST", bed.base + "/api/jobs/\(id)/finish").status == 200)
                ids.append(id)
            }
            #expect(try await alice.send("GET", bed.base + "/api/jobs/\(ids[0])/log").text.contains("deployed"))

            // The first job ended three days ago (as far as the database knows); the server prunes at its start.
            bed.server?.signal(SIGTERM)
            if let server = bed.server { _ = await server.finish(timeout: 20) }
            let store = try SQLiteStore(path: bed.directory + "/db/spiderpig.db")
            var old = try #require(try await store.job(Int64(ids[0])))
            old.endedAt = Date().addingTimeInterval(-3 * 86400)
            try await store.updateJob(old)
            try bed.startServer()
            try await bed.waitUntilUp(WebClient())

            #expect(try await store.records(jobID: Int64(ids[0]), after: 0, limit: 10).isEmpty)
            #expect(try await alice.send("GET", bed.base + "/api/jobs/\(ids[0])/log").text.isEmpty)
            #expect(try await alice.send("GET", bed.base + "/api/jobs/\(ids[1])/log").text.contains("deployed"))
            let history = try await alice.send("GET", bed.base + "/api/jobs").json["jobs"] as? [[String: Any]] ?? []
            #expect(Set(history.compactMap { $0["id"] as? Int }) == Set(ids))
        }
    }
}
