import CuminNativeSSH
import Crypto
import Foundation
import Testing

@Suite struct KnownHostsTests {
    private let key = [UInt8](repeating: 1, count: 51)
    private let other = [UInt8](repeating: 2, count: 51)
    private var keyText: String { Data(key).base64EncodedString() }
    private var otherText: String { Data(other).base64EncodedString() }

    @Test func plainPortsWildcardsAndNegation() {
        let known = KnownHosts(
            text: """
                # comment
                web1,10.0.0.1 ssh-ed25519 \(keyText)
                [db1]:2222 ssh-ed25519 \(keyText) db
                *.example.org,!bad.example.org ssh-ed25519 \(keyText)
                garbage line
                """)
        #expect(known.verify(name: "web1", keyType: "ssh-ed25519", keyBlob: key) == .known)
        #expect(known.verify(name: "WEB1", keyType: "ssh-ed25519", keyBlob: key) == .known)
        #expect(known.verify(name: "web1", keyType: "ssh-ed25519", keyBlob: other) == .changed(file: "<known_hosts>", line: 2))
        #expect(known.verify(name: "web1", keyType: "ecdsa-sha2-nistp256", keyBlob: other) == .unknown)
        #expect(known.verify(name: KnownHosts.lookupName(host: "db1", port: 2222), keyType: "ssh-ed25519", keyBlob: key) == .known)
        #expect(known.verify(name: "db1", keyType: "ssh-ed25519", keyBlob: key) == .unknown)
        #expect(known.verify(name: "a.example.org", keyType: "ssh-ed25519", keyBlob: key) == .known)
        #expect(known.verify(name: "bad.example.org", keyType: "ssh-ed25519", keyBlob: key) == .unknown)
    }

    @Test func hashedEntriesFromSSHKeygen() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/known_hosts"
        try "[127.0.0.5]:2201 ssh-ed25519 \(keyText)\nweb9 ssh-ed25519 \(keyText)\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        #expect(try runTool("/usr/bin/ssh-keygen", ["-H", "-f", file]).status == 0)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasPrefix("|1|"))
        let known = KnownHosts(files: [file])
        #expect(known.verify(name: "[127.0.0.5]:2201", keyType: "ssh-ed25519", keyBlob: key) == .known)
        #expect(known.verify(name: "web9", keyType: "ssh-ed25519", keyBlob: key) == .known)
        #expect(known.verify(name: "web8", keyType: "ssh-ed25519", keyBlob: key) == .unknown)
        #expect(known.verify(name: "web9", keyType: "ssh-ed25519", keyBlob: other) == .changed(file: file, line: 2))
    }

    @Test func revokedWinsAndCertificateAuthoritiesAreNoted() {
        let known = KnownHosts(
            text: """
                web1 ssh-ed25519 \(keyText)
                @revoked * ssh-ed25519 \(keyText)
                @cert-authority *.corp ssh-ed25519 \(otherText)
                """)
        #expect(known.verify(name: "web1", keyType: "ssh-ed25519", keyBlob: key) == .revoked(file: "<known_hosts>", line: 2))
        #expect(known.verify(name: "a.corp", keyType: "ssh-ed25519", keyBlob: other) == .certificateAuthority)
    }

    /// Random text and damaged lines never crash the parser or the lookup.
    @Test func fuzzedKnownHostsNeverCrash() {
        let alphabet = Array("|1@![]:,*?. \t\nabcAB0123=+/#-")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let length = Int.random(in: 0..<400, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "a" })
            let known = KnownHosts(text: text + "\n|1|\(keyText)|\(keyText) ssh-ed25519 \(keyText)")
            _ = known.verify(name: "a", keyType: "ssh-ed25519", keyBlob: key)
            _ = known.verify(name: "[a]:22", keyType: "x", keyBlob: [])
        }
    }
}
