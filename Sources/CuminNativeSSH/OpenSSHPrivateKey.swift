import Crypto
import Foundation
import NIOSSH
import _CryptoExtras

/// Why a private key file cannot be used in process.
public enum PrivateKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not in the `openssh-key-v1` format (e.g. PEM, PKCS#8, a public key).
    case notOpenSSHFormat(path: String)
    /// The file is damaged: `detail` says where.
    case malformed(path: String, detail: String)
    /// A key type swift-nio-ssh cannot sign with (e.g. `ssh-rsa`, a security key).
    case unsupportedKeyType(path: String, type: String)
    /// An encryption scheme other than `aes256-ctr`/`aes256-gcm@openssh.com` with `bcrypt`.
    case unsupportedCipher(path: String, cipher: String, kdf: String)
    /// The key is encrypted and no passphrase was given.
    case passphraseRequired(path: String)
    /// The passphrase does not decrypt the key.
    case wrongPassphrase(path: String)

    /// What is wrong with which file, and what to do.
    public var description: String {
        switch self {
        case .notOpenSSHFormat(let path):
            return "\(path): not an OpenSSH private key (openssh-key-v1); convert it with ssh-keygen -p -o"
        case .malformed(let path, let detail):
            return "\(path): damaged OpenSSH private key (\(detail))"
        case .unsupportedKeyType(let path, let type):
            return "\(path): key type \(type) is not supported in process (only ed25519 and ECDSA)"
        case .unsupportedCipher(let path, let cipher, let kdf):
            return "\(path): encryption \(cipher) with KDF \(kdf) is not supported (aes256-ctr/aes256-gcm with bcrypt are)"
        case .passphraseRequired(let path):
            return "\(path): the key is encrypted and no passphrase was given"
        case .wrongPassphrase(let path):
            return "\(path): incorrect passphrase"
        }
    }
}

/// An OpenSSH private key file (`openssh-key-v1`, as `ssh-keygen` writes it) read into a key swift-nio-ssh signs
/// with: ed25519 or ECDSA P-256/P-384/P-521, in clear or encrypted with `aes256-ctr`/`aes256-gcm@openssh.com` and
/// the `bcrypt` KDF.
public struct OpenSSHPrivateKey: Sendable {
    /// The key.
    public let key: NIOSSHPrivateKey
    /// The key type as OpenSSH names it, e.g. `ssh-ed25519`.
    public let type: String
    /// The comment stored with the key.
    public let comment: String

    /// The largest key file read (real ones are under 4 KiB).
    static let maximumFileSize = 64 << 10

    /// Whether a file in `openssh-key-v1` format is encrypted, without a passphrase.
    public static func isEncrypted(_ text: String) -> Bool {
        guard let blob = try? armoredBlob(text, path: ""), var reader = Optional(SSHWireReader(blob)),
            reader.read(magic.count) == magic, let cipher = reader.text()
        else { return false }
        return cipher != "none"
    }

    /// Reads a key from a file.
    /// - Parameters:
    ///   - path: the private key file.
    ///   - passphrase: used only when the key is encrypted.
    /// - Throws: ``PrivateKeyError``.
    public init(path: String, passphrase: String? = nil) throws(PrivateKeyError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .malformed(path: path, detail: "cannot be read")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: Self.maximumFileSize + 1)) ?? Data()
        guard data.count <= Self.maximumFileSize else { throw .malformed(path: path, detail: "larger than 64 KiB") }
        try self.init(text: String(decoding: data, as: UTF8.self), passphrase: passphrase, path: path)
    }

    private static let magic = Array("openssh-key-v1\0".utf8)

    /// Reads a key from the text of a key file; `path` only names it in errors.
    public init(text: String, passphrase: String? = nil, path: String = "<key>") throws(PrivateKeyError) {
        let blob = try Self.armoredBlob(text, path: path)
        var reader = SSHWireReader(blob)
        guard reader.read(Self.magic.count) == Self.magic else { throw .notOpenSSHFormat(path: path) }
        guard let cipher = reader.text(), let kdf = reader.text(), let kdfOptions = reader.string(),
            let keyCount = reader.uint32()
        else { throw .malformed(path: path, detail: "truncated header") }
        guard keyCount == 1 else { throw .malformed(path: path, detail: "\(keyCount) keys in one file") }
        guard reader.string() != nil, let encrypted = reader.string() else {
            throw .malformed(path: path, detail: "truncated key section")
        }
        let privateSection: [UInt8]
        switch (cipher, kdf) {
        case ("none", "none"):
            privateSection = encrypted
        case ("aes256-ctr", "bcrypt"), ("aes256-gcm@openssh.com", "bcrypt"):
            guard let passphrase, !passphrase.isEmpty else { throw .passphraseRequired(path: path) }
            var options = SSHWireReader(kdfOptions)
            guard let salt = options.string(), let rounds = options.uint32() else {
                throw .malformed(path: path, detail: "bad bcrypt options")
            }
            let gcm = cipher != "aes256-ctr"
            guard
                let material = BcryptPBKDF.derive(
                    passphrase: Array(passphrase.utf8), salt: salt, rounds: Int(rounds), length: gcm ? 44 : 48)
            else { throw .malformed(path: path, detail: "bcrypt parameters out of range (rounds \(rounds))") }
            let key = SymmetricKey(data: material[0..<32])
            if gcm {
                guard let tag = reader.read(16) else { throw .malformed(path: path, detail: "missing GCM tag") }
                do {
                    let box = try AES.GCM.SealedBox(
                        nonce: AES.GCM.Nonce(data: material[32..<44]), ciphertext: encrypted, tag: tag)
                    privateSection = Array(try AES.GCM.open(box, using: key))
                } catch {
                    throw .wrongPassphrase(path: path)
                }
            } else {
                guard encrypted.count % 16 == 0,
                    let nonce = try? AES._CTR.Nonce(nonceBytes: material[32..<48]),
                    let clear = try? AES._CTR.decrypt(encrypted, using: key, nonce: nonce)
                else { throw .malformed(path: path, detail: "encrypted section is not whole AES blocks") }
                privateSection = Array(clear)
            }
        default:
            throw .unsupportedCipher(path: path, cipher: cipher, kdf: kdf)
        }
        var section = SSHWireReader(privateSection)
        guard let check1 = section.uint32(), let check2 = section.uint32() else {
            throw .malformed(path: path, detail: "truncated private section")
        }
        guard check1 == check2 else {
            if cipher != "none" { throw .wrongPassphrase(path: path) }
            throw .malformed(path: path, detail: "check integers differ")
        }
        guard let type = section.text() else { throw .malformed(path: path, detail: "no key type") }
        self.type = type
        switch type {
        case "ssh-ed25519":
            guard section.string()?.count == 32, let secret = section.string(), secret.count == 64,
                let signing = try? Curve25519.Signing.PrivateKey(rawRepresentation: secret[0..<32])
            else { throw .malformed(path: path, detail: "bad ed25519 key") }
            key = NIOSSHPrivateKey(ed25519Key: signing)
        case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
            guard section.text() != nil, section.string() != nil, let scalar = section.string() else {
                throw .malformed(path: path, detail: "bad ECDSA key")
            }
            key = try Self.ecdsaKey(type: type, scalar: scalar, path: path)
        default:
            throw .unsupportedKeyType(path: path, type: type)
        }
        comment = section.text() ?? ""
    }

    /// An ECDSA key from its private scalar (an `mpint`: big-endian, maybe with a leading zero).
    private static func ecdsaKey(type: String, scalar: [UInt8], path: String) throws(PrivateKeyError)
        -> NIOSSHPrivateKey
    {
        let size = type.hasSuffix("256") ? 32 : type.hasSuffix("384") ? 48 : 66
        let digits = Array(scalar.drop { $0 == 0 })
        guard digits.count <= size else { throw .malformed(path: path, detail: "ECDSA scalar too long") }
        let raw = [UInt8](repeating: 0, count: size - digits.count) + digits
        do {
            switch size {
            case 32: return NIOSSHPrivateKey(p256Key: try P256.Signing.PrivateKey(rawRepresentation: raw))
            case 48: return NIOSSHPrivateKey(p384Key: try P384.Signing.PrivateKey(rawRepresentation: raw))
            default: return NIOSSHPrivateKey(p521Key: try P521.Signing.PrivateKey(rawRepresentation: raw))
            }
        } catch {
            throw .malformed(path: path, detail: "invalid ECDSA scalar")
        }
    }

    /// The base64 body between the `OPENSSH PRIVATE KEY` armour lines, decoded.
    private static func armoredBlob(_ text: String, path: String) throws(PrivateKeyError) -> [UInt8] {
        let begin = "-----BEGIN OPENSSH PRIVATE KEY-----"
        let end = "-----END OPENSSH PRIVATE KEY-----"
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex)
        else {
            throw .notOpenSSHFormat(path: path)
        }
        let body = text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: String(body)) else {
            throw .malformed(path: path, detail: "bad base64")
        }
        return Array(data)
    }
}
