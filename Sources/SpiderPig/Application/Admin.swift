import Foundation

/// The admin actions, shared by the web API and `spiderpig admin`: freeze, unfreeze, ban, unban, logout USER,
/// logout-all, queue move and cancel. Bans and logouts end the user's sessions and close their WebSockets at once
/// (from the CLI, which only writes the database, the server notices within a second and closes them).
public struct Admin: Sendable {
    let store: any SpiderPigStore
    let hub: Hub
    let runner: JobRunner
    let audit: AuditLog?

    /// Creates the admin actions over storage.
    public init(store: any SpiderPigStore, hub: Hub, runner: JobRunner, audit: AuditLog?) {
        self.store = store
        self.hub = hub
        self.runner = runner
        self.audit = audit
    }

    /// Performs `action`; returns a message for the admin.
    public func perform(
        _ action: String, user: String? = nil, reason: String? = nil, job: Int64? = nil, index: Int? = nil,
        by caller: Caller
    ) async throws -> String {
        guard caller.role == .admin else { throw JobActionError(403, "admins only") }
        func needUser() throws -> String {
            guard let user, UserName.isValid(user) else { throw JobActionError(400, "\(action) needs a valid user") }
            return user
        }
        func needJob() throws -> Int64 {
            guard let job else { throw JobActionError(400, "\(action) needs a job id") }
            return job
        }
        switch action {
        case "freeze":
            try await runner.setFrozen(reason ?? "frozen", by: caller)
            return "deployments frozen"
        case "unfreeze":
            try await runner.setFrozen(nil, by: caller)
            return "deployments unfrozen"
        case "ban", "unban":
            let name = try needUser()
            var record = try await store.userCreatingIfNeeded(name, seed: Authenticator.newSeed())
            record.banned = action == "ban"
            try await store.saveUser(record)
            if action == "ban" {
                let ended = try await store.deleteSessions(user: name)
                await hub.disconnect(user: name, reason: "banned")
                audit?.record("admin.ban", user: caller.user, details: ["target": name, "sessions": "\(ended)"])
                return "\(name) banned, \(ended) sessions ended"
            }
            audit?.record("admin.unban", user: caller.user, details: ["target": name])
            return "\(name) unbanned"
        case "logout":
            let name = try needUser()
            let ended = try await store.deleteSessions(user: name)
            await hub.disconnect(user: name, reason: "logged out by an admin")
            audit?.record("admin.logout", user: caller.user, details: ["target": name, "sessions": "\(ended)"])
            return "\(ended) sessions of \(name) ended"
        case "logout-all":
            let ended = try await store.deleteAllSessions()
            await hub.disconnect(user: nil, reason: "everyone was logged out")
            audit?.record("admin.logout-all", user: caller.user, details: ["sessions": "\(ended)"])
            return "\(ended) sessions ended"
        case "move":
            try await runner.move(try needJob(), to: index ?? 0, by: caller)
            return "job moved"
        case "cancel":
            try await runner.cancel(try needJob(), by: caller)
            return "job cancelled"
        default:
            throw JobActionError(404, "no admin action \(action)")
        }
    }
}
