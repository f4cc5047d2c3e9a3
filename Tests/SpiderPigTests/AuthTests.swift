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
            try await enrolment(bed)
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

    /// An authenticator app enrolled from the shell (`otp --qr`, drawn by qrencode) or from the web page, which
    /// asks for a fresh code first.
    private func enrolment(_ bed: SpiderPigBed) async throws {
        let hasQRencode = FileManager.default.isExecutableFile(atPath: "/usr/bin/qrencode")
        let shell = try await bed.spiderpig(["otp", "--qr", "--user", "frank"])
        let url = shell.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(url.hasPrefix("otpauth://totp/SpiderPig:frank?"), "\(shell.stdout)")
        if hasQRencode {
            #expect(shell.status == 0, "\(shell.stderr)")
            #expect(shell.stdout.contains("\u{2588}") || shell.stdout.contains("\u{2580}"), "no QR code drawn")
        }
        // Without qrencode: the URL, then a clear error naming the package.
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bed.directory + "/no-such-dir"
        let missing = try await bed.run(
            productPathOfSpiderPig, ["otp", "--qr", "--user", "frank", "--config", bed.configPath],
            environment: environment)
        #expect(missing.status != 0)
        #expect(missing.stdout.hasPrefix("otpauth://totp/"))
        #expect(missing.stderr.contains("apt-get install qrencode"), "\(missing.stderr)")

        // The web page: the login's code is refused (a copied session cookie is not enough), a fresh one shows
        // the same URL, the secret and the QR code as an SVG image.
        // Far enough from the end of a 30 s step that the login's code and `used` below are the same one.
        let into = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 30)
        if into > 22 { try await Task.sleep(for: .seconds(31 - into)) }
        let frank = try await bed.login("frank", groups: ["deployers"])
        #expect(try await frank.send("GET", bed.base + "/account").status == 200)
        let used = try await bed.spiderpig(["otp", "--quiet", "--user", "frank"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await frank.send("POST", bed.base + "/api/otp/enrol", json: ["code": used]).status == 400)
        let next = try await bed.run(
            SpiderPigBed.venvBin + "/python3",
            ["-c", "import pyotp, sys, time; print(pyotp.parse_uri(sys.argv[1]).at(time.time() + 30))", url]
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let token = frank.csrf
        frank.csrf = ""
        #expect(try await frank.send("POST", bed.base + "/api/otp/enrol", json: ["code": next]).status == 403)
        frank.csrf = token
        let enrolled = try await frank.send("POST", bed.base + "/api/otp/enrol", json: ["code": next])
        #expect(enrolled.status == 200, "\(enrolled.text)")
        #expect(enrolled.json["url"] as? String == url)
        let secret = try #require(enrolled.json["secret"] as? String)
        #expect(url.contains("secret=\(secret)"))
        if hasQRencode {
            let image = try #require(enrolled.json["qr"] as? String)
            #expect(image.hasPrefix("data:image/svg+xml;base64,"))
            let base64 = String(image.dropFirst("data:image/svg+xml;base64,".count))
            let svg = Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) } ?? ""
            #expect(svg.contains("<svg") && !svg.contains("<script"), "\(svg.prefix(200))")
        }
        let audit = try String(contentsOfFile: bed.directory + "/audit.log", encoding: .utf8)
        #expect(audit.contains(#""action":"otp.enrol""#) && audit.contains(#""action":"otp.enrol.failed""#))
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
