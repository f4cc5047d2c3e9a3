import Foundation
import TestSupport
import Testing

/// Login and the second factor against the running server and the OIDC provider mock: codes checked with pyotp,
/// replay and brute force refused, bans closing open WebSockets, the admin CLI.
@Suite(.tags(.idp), .serialized, .enabled(if: SpiderPigBed.toolsInstalled, "needs scripts/setup.sh (the tools venv)"))
struct AuthTests {
    @Test func totpCodesMatchPyotpAndReplayAndBruteForceAreRefused() async throws {
        try await SpiderPigBed.with(hosts: 0) { bed in
            try await totp(bed)
            try await banAndLogout(bed)
        }
    }

    private func totp(_ bed: SpiderPigBed) async throws {
        // Our code equals pyotp's for the otpauth URL `spiderpig otp --qr` prints.
        let url = try await bed.spiderpig(["otp", "--qr", "--user", "dave"]).stdout
            .split(separator: "\n").first.map(String.init) ?? ""
        #expect(url.hasPrefix("otpauth://totp/"))
        let python = try await bed.run(
            SpiderPigBed.venvBin + "/python3",
            ["-c", "import pyotp, sys, time; t = pyotp.parse_uri(sys.argv[1]); print(t.now(), t.at(time.time() - 30))", url])
        let pyotpCodes = python.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let ours = try await bed.spiderpig(["otp", "--quiet", "--user", "dave"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(pyotpCodes.count == 2 && pyotpCodes.contains(ours), "pyotp \(python.stdout) \(python.stderr) ours \(ours)")

        // A partial session (IdP done, no code yet) reaches nothing.
        let dave = WebClient()
        try await bed.idpLogin("dave", groups: ["deployers"], client: dave)
        #expect(try await dave.send("GET", bed.base + "/api/jobs").status == 401)

        // The right code works once; the same code in a second login is a replay.
        #expect(try await dave.send("POST", bed.base + "/api/otp", json: ["code": ours]).status == 200)
        let second = WebClient()
        try await bed.idpLogin("dave", groups: ["deployers"], client: second)
        let replay = try await second.send("POST", bed.base + "/api/otp", json: ["code": ours])
        #expect(replay.status == 400)
        #expect(replay.text.contains("already used"))

        // Brute force: five failures lock the user (429), and then even the right code is refused.
        let eve = WebClient()
        try await bed.idpLogin("eve", groups: ["deployers"], client: eve)
        var statuses: [Int] = []
        for guess in ["000000", "111111", "222222", "333333", "444444"] {
            statuses.append(try await eve.send("POST", bed.base + "/api/otp", json: ["code": guess]).status)
        }
        #expect(statuses == [400, 400, 400, 400, 429])
        let right = try await bed.spiderpig(["otp", "--quiet", "--user", "eve"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await eve.send("POST", bed.base + "/api/otp", json: ["code": right]).status == 429)

        // A user in no SpiderPig group is refused at the callback.
        let nobody = WebClient()
        do {
            try await bed.idpLogin("mallory", groups: ["others"], client: nobody)
            Issue.record("a user in no group got a session")
        } catch {
            #expect("\(error)".contains("403"))
        }
    }

    private func banAndLogout(_ bed: SpiderPigBed) async throws {
        let admin = try await bed.login("carol", groups: ["sre"])
        let bob = try await bed.login("bob", groups: ["deployers"])
        let socket = LiveSocket(url: "ws://127.0.0.1:\(bed.port)/ws", cookie: bob.cookieHeader(forBase: bed.base))
        defer { socket.cancel() }
        #expect(await socket.waitFor(timeout: 20) { $0["type"] as? String == "queue" } != nil)
        // Only admins administer.
        #expect(try await bob.send("POST", bed.base + "/api/admin/ban", json: ["user": "carol"]).status == 403)
        let ban = try await admin.send("POST", bed.base + "/api/admin/ban", json: ["user": "bob"])
        #expect(ban.status == 200, "\(ban.text)")
        #expect(await socket.waitClosed(timeout: 5), "the banned user's WebSocket stays open")
        #expect(socket.closeCode == 1008)
        #expect(try await bob.send("GET", bed.base + "/api/jobs").status == 401)
        do {
            try await bed.idpLogin("bob", groups: ["deployers"], client: WebClient())
            Issue.record("a banned user logged in")
        } catch {
            #expect("\(error)".contains("403"))
        }
        // The CLI: unban, freeze shows in the queue, logout-all ends the admin's own session too.
        #expect(try await bed.spiderpig(["admin", "unban", "bob"]).status == 0)
        let frozen = try await bed.spiderpig(["admin", "freeze", "change", "window", "closed"])
        #expect(frozen.status == 0, "\(frozen.stderr)")
        let queue = try await admin.send("GET", bed.base + "/api/queue")
        #expect(queue.json["frozen"] as? Bool == true)
        #expect(queue.json["frozenReason"] as? String == "change window closed")
        #expect(try await bed.spiderpig(["admin", "logout-all"]).status == 0)
        #expect(try await admin.send("GET", bed.base + "/api/jobs").status == 401)
    }
}
