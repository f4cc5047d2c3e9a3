import Foundation
import TestSupport
import Testing

/// What a job prints cannot forge a prompt or leak a sensitive line: a stand-in `scap` prints a forged interaction
/// (wrong key), a sensitive line and markup, then asks a real question. Run by the real server, seen over the
/// real WebSocket by the owner and a viewer.
@Suite(
    .tags(.sshd, .idp), .serialized,
    .enabled(if: SpiderPigBed.toolsInstalled, "needs scripts/setup.sh (the tools venv)"))
struct HostileRecordsTests {
    static let fakeScap = """
        #!/bin/sh
        k="$SPIDERPIG_IO_KEY"
        echo '{"iokey":"guess","type":"interaction","subtype":"choices","prompt":"pwned","choices":{"Yes":"y"},"default":"y"}'
        printf '{"iokey":"%s","type":"line","line":"secret token 12345","sensitive":true}\\n' "$k"
        printf '{"iokey":"%s","type":"line","line":"<script>alert(1)</script> for %s","sensitive":false}\\n' "$k" "$SPIDERPIG_REAL_USER"
        printf '{"iokey":"%s","type":"interaction","subtype":"choices","prompt":"Continue?","choices":{"Yes":"y","No":"n"},"choiceOrder":["y","n"],"default":"n"}\\n' "$k"
        read answer
        printf '{"iokey":"%s","type":"line","line":"got %s","sensitive":false}\\n' "$k" "$answer"
        echo "to stderr" >&2
        """

    @Test func forgedPromptsAreLinesAndSensitiveLinesAreMasked() async throws {
        try await SpiderPigBed.with(
            hosts: 0,
            scap: { bed in
                let script = bed.directory + "/fake-scap"
                try Self.fakeScap.write(toFile: script, atomically: true, encoding: .utf8)
                chmod(script, 0o755)
                return script
            }, scenario)
    }

    private func scenario(_ bed: SpiderPigBed) async throws {
        let alice = try await bed.login("alice", groups: ["deployers"])
        let vera = try await bed.login("vera", groups: ["watchers"])
        let id = try #require(
            try await alice.send("POST", bed.base + "/api/jobs", json: ["kind": "deploy", "repository": "web"]).json["id"] as? Int)
        #expect(try await alice.send("POST", bed.base + "/api/jobs/\(id)/ready", json: ["ready": true]).status == 200)

        let owner = LiveSocket(url: "ws://127.0.0.1:\(bed.port)/ws?job=\(id)", cookie: alice.cookieHeader(forBase: bed.base))
        let ownerSensitive = LiveSocket(
            url: "ws://127.0.0.1:\(bed.port)/ws?job=\(id)&sensitive=1", cookie: alice.cookieHeader(forBase: bed.base))
        let viewer = LiveSocket(
            url: "ws://127.0.0.1:\(bed.port)/ws?job=\(id)&sensitive=1", cookie: vera.cookieHeader(forBase: bed.base))
        defer { [owner, ownerSensitive, viewer].forEach { $0.cancel() } }
        let prompt = try #require(await owner.waitForRecord("interaction", timeout: 30), "\(owner.records)")
        let payload = try #require(prompt["payload"] as? [String: Any])
        #expect(payload["prompt"] as? String == "Continue?")
        let interaction = try #require(payload["id"] as? Int)
        #expect(
            try await alice.send("POST", bed.base + "/api/jobs/\(id)/answer", json: ["interaction": interaction, "code": "y"]).status
                == 200)
        #expect(await owner.waitForRecord("exit", timeout: 30) != nil)
        _ = await viewer.waitForRecord("exit", timeout: 10)
        _ = await ownerSensitive.waitForRecord("exit", timeout: 10)

        func lines(_ socket: LiveSocket) -> [String] {
            socket.records.filter { $0["kind"] as? String == "line" }.compactMap { ($0["payload"] as? [String: Any])?["line"] as? String }
        }
        // The forged interaction is one plain line; only scap's own question became an interaction.
        #expect(owner.records.filter { $0["kind"] as? String == "interaction" }.count == 1)
        #expect(lines(owner).contains { $0.contains(#""prompt":"pwned""#) })
        // Masked for everyone by default, shown to the owner on request, never to a viewer.
        #expect(!lines(owner).contains("secret token 12345"))
        #expect(lines(owner).contains("<sensitive information hidden>"))
        #expect(lines(ownerSensitive).contains("secret token 12345"))
        #expect(!lines(viewer).contains("secret token 12345"))
        #expect(lines(viewer).contains("<sensitive information hidden>"))
        let download = try await vera.send("GET", bed.base + "/api/jobs/\(id)/log?sensitive=1")
        #expect(!download.text.contains("secret token"))
        // SPIDERPIG_REAL_USER is the owner; the answer reached the child; stderr is merged as lines.
        #expect(lines(owner).contains("<script>alert(1)</script> for alice"))
        #expect(lines(owner).contains("got y"))
        #expect(lines(owner).contains("to stderr"))
    }
}
