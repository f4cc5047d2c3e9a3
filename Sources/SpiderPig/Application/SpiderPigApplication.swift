import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// What the `spiderpig` executable does, as a library: `serve`, `otp`, `admin`, `migrate`.
public enum SpiderPigApplication {
    /// The configuration file when none is given: `$SPIDERPIG_CONFIG`, else /etc/spiderpig/config.yaml.
    public static var defaultConfigPath: String {
        ProcessInfo.processInfo.environment["SPIDERPIG_CONFIG"] ?? "/etc/spiderpig/config.yaml"
    }

    /// Opens and migrates the database of `config`.
    public static func openStore(_ config: SpiderPigConfig) async throws -> SQLiteStore {
        let store = try SQLiteStore(path: config.databasePath)
        try await store.migrate()
        return store
    }

    /// Runs the server until SIGINT/SIGTERM.
    public static func serve(config: SpiderPigConfig) async throws {
        signal(SIGPIPE, SIG_IGN)
        var logger = Logger(label: "spiderpig")
        logger.logLevel = .info
        let store = try await openStore(config)
        let server = try await SpiderPigServer(config: config, store: store, logger: logger)
        try await server.run()
    }

    /// The user running this command: the sudo user under sudo, else the login name.
    public static func callingUser() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if getuid() == 0, let sudo = environment["SUDO_USER"], !sudo.isEmpty { return sudo }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return environment["USER"]
    }

    /// The current code of `user` (whose seed is created if new), how long it stays valid, and the otpauth URL.
    public static func otp(config: SpiderPigConfig, user: String, now: Date = Date()) async throws
        -> (code: String, validFor: Int, url: String)
    {
        guard UserName.isValid(user) else { throw JobActionError(400, "not a valid user name: \(user)") }
        let store = try await openStore(config)
        let record = try await store.userCreatingIfNeeded(user, seed: Authenticator.newSeed())
        let remaining = 30 - Int(now.timeIntervalSince1970) % 30
        return (
            Authenticator.code(seed: record.otpSeed, at: now), remaining,
            Authenticator.authenticatorURL(seed: record.otpSeed, user: user, issuer: config.otpIssuer)
        )
    }

    /// An admin action from the command line, as `caller` (the calling user, with the admin role: shell access
    /// to the database is the authority here).
    public static func admin(
        config: SpiderPigConfig, action: String, user: String?, reason: String?, job: Int64?, index: Int?,
        caller: String
    ) async throws -> String {
        let store = try await openStore(config)
        let hub = Hub()
        let audit = AuditLog(path: config.auditLogPath)
        let runner = JobRunner(store: store, hub: hub, config: config, audit: audit, logger: Logger(label: "spiderpig"))
        if action == "queue-list" {
            let jobs = try await store.activeJobs()
            let frozen = try await store.setting("frozen")
            var lines = frozen.map { ["frozen: \($0)"] } ?? []
            for (index, job) in jobs.enumerated() {
                lines.append("\(index + 1). #\(job.id) \(job.state.rawValue) \(job.owner) \(job.summary)")
            }
            return lines.isEmpty ? "queue empty" : lines.joined(separator: "\n")
        }
        return try await Admin(store: store, hub: hub, runner: runner, audit: audit)
            .perform(action, user: user, reason: reason, job: job, index: index, by: Caller(user: caller, role: .admin))
    }
}
