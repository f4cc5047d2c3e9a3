import Foundation
import Testing
import _CryptoExtras

@testable import SpiderPig

/// ID token verification with a real RSA key: a good token passes; a changed payload, another key, a wrong
/// audience, issuer or nonce, an expired token and `alg: none` are refused.
struct IDTokenTests {
    let key: _RSA.Signing.PrivateKey

    init() throws { key = try _RSA.Signing.PrivateKey(keySize: .bits2048) }

    func jwks(_ key: _RSA.Signing.PublicKey, kid: String = "k1") throws -> Data {
        let components = try key.getKeyPrimitives()
        return Data(
            #"{"keys":[{"kty":"RSA","kid":"\#(kid)","use":"sig","n":"\#(Base64URL.encode(components.modulus))","e":"\#(Base64URL.encode(components.publicExponent))"}]}"#
                .utf8)
    }

    func token(_ claims: [String: Any], alg: String = "RS256", signer: _RSA.Signing.PrivateKey? = nil) throws -> String {
        let header = Base64URL.encode(try JSONSerialization.data(withJSONObject: ["alg": alg, "kid": "k1", "typ": "JWT"]))
        let payload = Base64URL.encode(try JSONSerialization.data(withJSONObject: claims))
        let input = "\(header).\(payload)"
        let signature = try (signer ?? key).signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        return input + "." + Base64URL.encode(signature.rawRepresentation)
    }

    var claims: [String: Any] {
        let now = Date().timeIntervalSince1970
        return ["iss": "https://idp", "aud": "spiderpig", "sub": "alice", "nonce": "n1", "exp": now + 300, "iat": now]
    }

    func verifier() throws -> IDTokenVerifier {
        try IDTokenVerifier(issuer: "https://idp", clientID: "spiderpig", jwks: try jwks(key.publicKey))
    }

    @Test func aGoodTokenPasses() throws {
        let verified = try verifier().verify(try token(claims), nonce: "n1")
        #expect(verified["sub"] as? String == "alice")
    }

    @Test func forgeriesAreRefused() throws {
        let verifier = try verifier()
        let good = try token(claims)
        let parts = good.split(separator: ".").map(String.init)
        var changed = claims
        changed["sub"] = "mallory"
        let swapped = parts[0] + "." + Base64URL.encode(try JSONSerialization.data(withJSONObject: changed)) + "." + parts[2]
        #expect(throws: IDTokenError.self) { try verifier.verify(swapped, nonce: "n1") }
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        #expect(throws: IDTokenError.self) { try verifier.verify(try token(claims, signer: other), nonce: "n1") }
        #expect(throws: IDTokenError.self) { try verifier.verify(parts[0] + "." + parts[1] + ".", nonce: "n1") }
        let none = Base64URL.encode(Data(#"{"alg":"none"}"#.utf8)) + "." + parts[1] + "."
        #expect(throws: IDTokenError.self) { try verifier.verify(none, nonce: "n1") }
        #expect(throws: IDTokenError.self) { try verifier.verify(good, nonce: "another") }
        for (key, value) in [("aud", "someone-else"), ("iss", "https://evil"), ("exp", Date().timeIntervalSince1970 - 3600)]
            as [(String, Any)]
        {
            var bad = claims
            bad[key] = value
            #expect(throws: IDTokenError.self) { try verifier.verify(try token(bad), nonce: "n1") }
        }
    }
}
