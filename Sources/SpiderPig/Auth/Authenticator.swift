import Foundation
import HummingbirdOTP

/// Why a second factor was refused.
public enum OTPFailure: Error, Equatable, CustomStringConvertible {
    /// Wrong (or malformed) code.
    case invalid
    /// The code was already used.
    case replayed
    /// Too many failures: locked until then (HTTP 429).
    case locked(until: Date)
    /// The user is banned.
    case banned

    public var description: String {
        switch self {
        case .invalid: "invalid code"
        case .replayed: "this code was already used: wait for the next one"
        case .locked(let until): "too many failures: locked until \(ISO8601DateFormatter().string(from: until))"
        case .banned: "banned"
        }
    }
}

/// Sessions (server-side, hashed ids, CSRF tokens) and the TOTP second factor (RFC 6238: SHA-1, 30 s steps,
/// 6 digits, ±1 step; the last accepted step cannot be used again; 5 failures in 10 minutes lock for 15 minutes).
/// An actor, so two checks of one user's code never race.
public actor Authenticator {
    private let store: any SpiderPigStore
    private let config: SpiderPigConfig
    /// Failures allowed in `failureWindow` before the lockout.
    public static let maxFailures = 5
    /// The window failures are counted in.
    public static let failureWindow: TimeInterval = 600
    /// How long a lockout lasts.
    public static let lockout: TimeInterval = 900

    /// Creates the authenticator.
    public init(store: any SpiderPigStore, config: SpiderPigConfig) {
        self.store = store
        self.config = config
    }

    /// The role `groups` grant, or nil for none.
    public nonisolated func role(groups: [String]) -> Role? {
        let set = Set(groups)
        if !set.isDisjoint(with: config.roles.admin) { return .admin }
        if !set.isDisjoint(with: config.roles.deployer) { return .deployer }
        if !set.isDisjoint(with: config.roles.viewer) { return .viewer }
        return nil
    }

    /// A new TOTP seed: 20 random characters of the base32 alphabet (the key is their bytes).
    public static func newSeed() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// The code for `seed` at `date`, six digits.
    public static func code(seed: String, at date: Date) -> String {
        String(format: "%06d", TOTP(secret: seed).compute(date: date))
    }

    /// The otpauth URL an authenticator app enrolls from.
    public static func authenticatorURL(seed: String, user: String, issuer: String) -> String {
        TOTP(secret: seed).createAuthenticatorURL(label: "\(issuer):\(user)", issuer: issuer)
    }

    /// Checks `code` for `user`; on success remembers its step so it cannot be used again.
    public func verify(user name: String, code: String, now: Date = Date()) async throws -> Result<Void, OTPFailure> {
        var user = try await store.userCreatingIfNeeded(name, seed: Self.newSeed())
        if user.banned { return .failure(.banned) }
        if let until = user.lockedUntil, until > now { return .failure(.locked(until: until)) }
        let digits = code.trimmingCharacters(in: .whitespaces)
        let step = Int64(now.timeIntervalSince1970 / 30)
        var matched: Int64?
        if digits.count == 6, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) {
            for candidate in [step - 1, step, step + 1]
            where Self.code(seed: user.otpSeed, at: Date(timeIntervalSince1970: Double(candidate) * 30 + 1)) == digits {
                matched = candidate
            }
        }
        if let matched, matched > user.lastOTPStep {
            user.lastOTPStep = matched
            user.failedAttempts = 0
            user.firstFailureAt = nil
            user.lockedUntil = nil
            try await store.saveUser(user)
            return .success(())
        }
        if let start = user.firstFailureAt, now.timeIntervalSince(start) < Self.failureWindow {
            user.failedAttempts += 1
        } else {
            user.firstFailureAt = now
            user.failedAttempts = 1
        }
        var failure: OTPFailure = matched == nil ? .invalid : .replayed
        if user.failedAttempts >= Self.maxFailures {
            let until = now.addingTimeInterval(Self.lockout)
            user.lockedUntil = until
            user.failedAttempts = 0
            user.firstFailureAt = nil
            failure = .locked(until: until)
        }
        try await store.saveUser(user)
        return .failure(failure)
    }

    // MARK: Sessions

    /// Cookie name.
    public static let cookieName = "spiderpig_session"

    /// Creates a session for `user` (second factor not yet passed); returns the cookie value.
    public func createSession(user: String, role: Role, now: Date = Date()) async throws -> (String, SessionRecord) {
        let token = Random.token()
        let session = SessionRecord(
            idHash: Random.sha256(token), user: user, role: role, fullyAuthenticated: false, csrfToken: Random.token(),
            createdAt: now, expiresAt: now.addingTimeInterval(config.sessionLifetime))
        try await store.insertSession(session)
        return (token, session)
    }

    /// After the second factor: a new session id (the old one is dropped), fully authenticated.
    public func upgrade(_ session: SessionRecord) async throws -> (String, SessionRecord) {
        try await store.deleteSession(idHash: session.idHash)
        let token = Random.token()
        var upgraded = session
        upgraded.idHash = Random.sha256(token)
        upgraded.fullyAuthenticated = true
        upgraded.csrfToken = Random.token()
        try await store.insertSession(upgraded)
        return (token, upgraded)
    }

    /// The session of a cookie value, if valid and its user is not banned.
    public func session(cookie: String) async throws -> SessionRecord? {
        guard !cookie.isEmpty, cookie.count < 200,
            let session = try await store.session(idHash: Random.sha256(cookie), now: Date())
        else { return nil }
        if try await store.user(session.user)?.banned == true { return nil }
        return session
    }
}
