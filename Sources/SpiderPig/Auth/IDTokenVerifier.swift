import Crypto
import Foundation
import _CryptoExtras

/// Why an ID token was refused.
public struct IDTokenError: Error, CustomStringConvertible, Equatable {
    /// What was wrong.
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Verifies an OpenID Connect ID token: a compact JWS signed with RS256 by a key of the IdP's JWKS, and its
/// claims (issuer, audience, expiry, issue time, nonce).
public struct IDTokenVerifier: Sendable {
    /// The expected `iss`.
    public var issuer: String
    /// The expected audience (our client id).
    public var clientID: String
    /// The IdP's signing keys: `kid` (may be empty) to the RSA public key.
    public var keys: [(kid: String, key: _RSA.Signing.PublicKey)]
    /// Allowed clock difference.
    public var leeway: TimeInterval = 60

    /// Creates a verifier from a JWKS document (`{"keys":[{"kty":"RSA","n":...,"e":...,"kid":...}]}`).
    public init(issuer: String, clientID: String, jwks: Data) throws(IDTokenError) {
        self.issuer = issuer
        self.clientID = clientID
        guard let object = try? JSONSerialization.jsonObject(with: jwks) as? [String: Any],
            let list = object["keys"] as? [[String: Any]]
        else { throw IDTokenError("the JWKS is not a JSON object with keys") }
        var keys: [(kid: String, key: _RSA.Signing.PublicKey)] = []
        for jwk in list where jwk["kty"] as? String == "RSA" && (jwk["use"] as? String ?? "sig") == "sig" {
            guard let n = (jwk["n"] as? String).flatMap(Base64URL.decode),
                let e = (jwk["e"] as? String).flatMap(Base64URL.decode),
                let key = try? _RSA.Signing.PublicKey(n: n, e: e)
            else { continue }
            keys.append((kid: jwk["kid"] as? String ?? "", key: key))
        }
        guard !keys.isEmpty else { throw IDTokenError("the JWKS has no usable RSA signing key") }
        self.keys = keys
    }

    /// Verifies `token` and returns its claims.
    public func verify(_ token: String, nonce: String, now: Date = Date()) throws(IDTokenError) -> [String: Any] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(String(parts[0])),
            let payloadData = Base64URL.decode(String(parts[1])), let signature = Base64URL.decode(String(parts[2])),
            let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any],
            let claims = (try? JSONSerialization.jsonObject(with: payloadData)) as? [String: Any]
        else { throw IDTokenError("the ID token is not a compact JWS") }
        guard header["alg"] as? String == "RS256" else {
            throw IDTokenError("the ID token's algorithm \(header["alg"] ?? "none") is not RS256")
        }
        let kid = header["kid"] as? String
        let candidates = keys.filter { kid == nil || $0.kid == kid || $0.kid.isEmpty }
        let signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
        guard
            candidates.contains(where: {
                $0.key.isValidSignature(rsaSignature, for: signingInput, padding: .insecurePKCS1v1_5)
            })
        else { throw IDTokenError("the ID token's signature does not verify with the IdP's keys") }

        guard claims["iss"] as? String == issuer else { throw IDTokenError("the ID token's issuer is not \(issuer)") }
        let audience: [String] = (claims["aud"] as? [String]) ?? [(claims["aud"] as? String)].compactMap { $0 }
        guard audience.contains(clientID) else { throw IDTokenError("the ID token is not for client \(clientID)") }
        if audience.count > 1, let azp = claims["azp"] as? String, azp != clientID {
            throw IDTokenError("the ID token's authorized party is not \(clientID)")
        }
        guard let exp = (claims["exp"] as? NSNumber)?.doubleValue, exp + leeway > now.timeIntervalSince1970 else {
            throw IDTokenError("the ID token has expired")
        }
        if let iat = (claims["iat"] as? NSNumber)?.doubleValue, iat - leeway > now.timeIntervalSince1970 {
            throw IDTokenError("the ID token was issued in the future")
        }
        guard claims["nonce"] as? String == nonce else { throw IDTokenError("the ID token's nonce does not match") }
        return claims
    }
}

/// base64url without padding (RFC 4648 §5).
enum Base64URL {
    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    static func encode(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Random tokens.
enum Random {
    /// `bytes` random bytes as lowercase hex.
    static func hex(_ bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// `bytes` random bytes as base64url.
    static func token(_ bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// SHA-256 of `text` as hex.
    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
