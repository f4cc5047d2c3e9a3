import Crypto
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The way users log in. OpenID Connect is the one implemented; CAS v3 (the reference's) would be a second
/// conformance: it too starts with a redirect and ends with a callback that yields a user and groups.
public protocol LoginProvider: Sendable {
    /// The URL to send the browser to, with what must be kept until the callback.
    func start() async throws -> (url: String, attempt: LoginAttempt)
    /// Completes the login from the callback's query items; returns the user and their groups.
    func finish(query: [String: String], attempt: LoginAttempt) async throws -> (user: String, groups: [String])
}

/// A login that failed: shown to the user (no secrets in it).
public struct LoginError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    init(_ description: String) { self.description = description }
}

/// OpenID Connect authorization code flow with PKCE (S256), `state` and `nonce`; the ID token's signature and
/// claims are verified against the IdP's JWKS.
public struct OIDCClient: LoginProvider {
    /// The settings.
    public var settings: SpiderPigConfig.OIDCSettings
    /// The callback URL registered at the IdP.
    public var redirectURI: String

    /// Creates a client.
    public init(settings: SpiderPigConfig.OIDCSettings, redirectURI: String) {
        self.settings = settings
        self.redirectURI = redirectURI
    }

    struct Discovery {
        var issuer: String
        var authorizationEndpoint: String
        var tokenEndpoint: String
        var jwksURI: String
    }

    private func fetch(_ request: URLRequest) async throws -> (Data, Int) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 10
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
    }

    func discover() async throws -> Discovery {
        let base = settings.issuer.hasSuffix("/") ? String(settings.issuer.dropLast()) : settings.issuer
        guard let url = URL(string: base + "/.well-known/openid-configuration") else {
            throw LoginError("oidc.issuer is not a URL: \(settings.issuer)")
        }
        let (data, status) = try await fetch(URLRequest(url: url))
        guard status == 200, let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let issuer = object["issuer"] as? String, let authorization = object["authorization_endpoint"] as? String,
            let token = object["token_endpoint"] as? String, let jwks = object["jwks_uri"] as? String
        else { throw LoginError("the IdP's discovery document at \(url) is unusable (HTTP \(status))") }
        return Discovery(issuer: issuer, authorizationEndpoint: authorization, tokenEndpoint: token, jwksURI: jwks)
    }

    public func start() async throws -> (url: String, attempt: LoginAttempt) {
        let discovery = try await discover()
        let attempt = LoginAttempt(
            state: Random.token(), nonce: Random.token(), codeVerifier: Random.token(48), createdAt: Date())
        let challenge = Base64URL.encode(Array(SHA256.hash(data: Data(attempt.codeVerifier.utf8))))
        guard var components = URLComponents(string: discovery.authorizationEndpoint) else {
            throw LoginError("the IdP's authorization endpoint is not a URL")
        }
        components.queryItems =
            (components.queryItems ?? []) + [
                URLQueryItem(name: "response_type", value: "code"),
                URLQueryItem(name: "client_id", value: settings.clientID),
                URLQueryItem(name: "redirect_uri", value: redirectURI),
                URLQueryItem(name: "scope", value: settings.scopes.joined(separator: " ")),
                URLQueryItem(name: "state", value: attempt.state),
                URLQueryItem(name: "nonce", value: attempt.nonce),
                URLQueryItem(name: "code_challenge", value: challenge),
                URLQueryItem(name: "code_challenge_method", value: "S256"),
            ]
        guard let url = components.url?.absoluteString else { throw LoginError("cannot build the authorization URL") }
        return (url, attempt)
    }

    public func finish(query: [String: String], attempt: LoginAttempt) async throws -> (user: String, groups: [String]) {
        if let error = query["error"] { throw LoginError("the IdP refused the login: \(error)") }
        guard let code = query["code"], !code.isEmpty else { throw LoginError("the IdP sent no code") }
        let discovery = try await discover()
        guard let tokenURL = URL(string: discovery.tokenEndpoint), let jwksURL = URL(string: discovery.jwksURI) else {
            throw LoginError("the IdP's endpoints are not URLs")
        }
        var request = URLRequest(url: tokenURL)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        let basic = Data("\(formEncode(settings.clientID)):\(formEncode(settings.clientSecret))".utf8).base64EncodedString()
        request.setValue("Basic \(basic)", forHTTPHeaderField: "Authorization")
        let form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
            ("code_verifier", attempt.codeVerifier), ("client_id", settings.clientID),
        ]
        request.httpBody = Data(form.map { "\($0.0)=\(formEncode($0.1))" }.joined(separator: "&").utf8)
        let (data, status) = try await fetch(request)
        guard status == 200, let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let idToken = object["id_token"] as? String
        else { throw LoginError("the IdP's token endpoint answered HTTP \(status) without an ID token") }
        let (jwks, jwksStatus) = try await fetch(URLRequest(url: jwksURL))
        guard jwksStatus == 200 else { throw LoginError("the IdP's JWKS answered HTTP \(jwksStatus)") }
        let verifier = try IDTokenVerifier(issuer: discovery.issuer, clientID: settings.clientID, jwks: jwks)
        let claims = try verifier.verify(idToken, nonce: attempt.nonce)
        guard let user = claims[settings.usernameClaim] as? String, UserName.isValid(user) else {
            throw LoginError("the ID token has no usable '\(settings.usernameClaim)' claim")
        }
        let groups = (claims[settings.groupsClaim] as? [String]) ?? []
        return (user, groups)
    }

    private func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// User names SpiderPig accepts (they appear in the environment of scap, in logs and in paths of nothing).
public enum UserName {
    /// 1-64 characters of letters, digits, `.`, `_`, `-`, `@`; not starting with `-`.
    public static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 64, !name.hasPrefix("-") else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-@".unicodeScalars.contains($0)
        }
    }
}
