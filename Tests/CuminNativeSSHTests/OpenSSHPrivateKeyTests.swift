import CuminNativeSSH
import Foundation
import NIOSSH
import Testing

/// Key files made by the real `ssh-keygen`, read back and compared with the public key it wrote.
@Suite struct OpenSSHPrivateKeyTests {
    private func publicKey(_ path: String) throws -> NIOSSHPublicKey {
        try NIOSSHPublicKey(openSSHPublicKey: String(contentsOfFile: path + ".pub", encoding: .utf8))
    }

    @Test(arguments: [("ed25519", nil), ("ecdsa", 256), ("ecdsa", 384), ("ecdsa", 521)] as [(String, Int?)])
    func readsUnencryptedKeys(type: String, bits: Int?) throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/key"
        try makeKey(path, type: type, bits: bits)
        let key = try OpenSSHPrivateKey(path: path)
        #expect(key.key.publicKey == (try publicKey(path)))
        #expect(key.comment == "test key")
    }

    @Test(arguments: [
        ("ed25519", "aes256-ctr"), ("ed25519", "aes256-gcm@openssh.com"), ("ecdsa", "aes256-ctr"),
    ])
    func readsEncryptedKeys(type: String, cipher: String) throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/key"
        try makeKey(path, type: type, passphrase: "correct horse", cipher: cipher)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(OpenSSHPrivateKey.isEncrypted(text))
        #expect(throws: PrivateKeyError.passphraseRequired(path: path)) { try OpenSSHPrivateKey(path: path) }
        #expect(throws: PrivateKeyError.wrongPassphrase(path: path)) {
            try OpenSSHPrivateKey(path: path, passphrase: "wrong horse")
        }
        let key = try OpenSSHPrivateKey(path: path, passphrase: "correct horse")
        #expect(key.key.publicKey == (try publicKey(path)))
    }

    @Test func refusesRSAAndOtherFormats() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try makeKey(directory + "/rsa", type: "rsa", bits: 2048)
        #expect(throws: PrivateKeyError.unsupportedKeyType(path: directory + "/rsa", type: "ssh-rsa")) {
            try OpenSSHPrivateKey(path: directory + "/rsa")
        }
        #expect(throws: PrivateKeyError.notOpenSSHFormat(path: "x")) {
            try OpenSSHPrivateKey(text: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----", path: "x")
        }
    }

    /// Random bytes, and random damage to a real key file, never crash the parser.
    @Test func fuzzedKeyFilesNeverCrash() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try makeKey(directory + "/plain", type: "ed25519")
        try makeKey(directory + "/ecdsa", type: "ecdsa")
        try makeKey(directory + "/encrypted", type: "ed25519", passphrase: "pw", cipher: "aes256-ctr")
        let blobs = try ["plain", "ecdsa", "encrypted"].map { name in
            let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            return try #require(Data(base64Encoded: text.split(separator: "\n").dropFirst().dropLast().joined()))
        }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<600 {
            var bytes = Array(blobs[round % 3])
            if round % 3 == 0 {
                bytes = (0..<Int.random(in: 0..<600, using: &generator)).map { _ in UInt8.random(in: 0...255) }
            } else {
                for _ in 0..<Int.random(in: 1...8, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255)
                }
                if round % 5 == 0 { bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count))) }
            }
            let armored =
                "-----BEGIN OPENSSH PRIVATE KEY-----\n\(Data(bytes).base64EncodedString())\n-----END OPENSSH PRIVATE KEY-----\n"
            _ = try? OpenSSHPrivateKey(text: armored)
        }
    }
}
