import Foundation

/// Everything SpiderPig keeps: users, sessions, login attempts, jobs with their records and interactions, audit
/// flags. SQLite (``SQLiteStore``) is the embedded default; the protocol is shaped so another backend (PostgreSQL)
/// can implement it: no SQLite types cross it, and every mutation that must be atomic is one method.
public protocol SpiderPigStore: Sendable {
    /// Creates or upgrades the schema.
    func migrate() async throws

    // Users and TOTP state.
    /// The user, if known.
    func user(_ name: String) async throws -> UserRecord?
    /// Returns the user, creating them with `seed` if new.
    func userCreatingIfNeeded(_ name: String, seed: String) async throws -> UserRecord
    /// Saves the user's TOTP and ban state.
    func saveUser(_ user: UserRecord) async throws

    // Sessions.
    /// Stores a new session.
    func insertSession(_ session: SessionRecord) async throws
    /// The session whose cookie hashes to `idHash`, if not expired.
    func session(idHash: String, now: Date) async throws -> SessionRecord?
    /// Replaces a session's fields.
    func updateSession(_ session: SessionRecord) async throws
    /// Deletes one session (advances the revocation generation).
    func deleteSession(idHash: String) async throws
    /// Deletes every session of `user`; returns how many (advances the revocation generation).
    @discardableResult func deleteSessions(user: String) async throws -> Int
    /// Deletes every session; returns how many (advances the revocation generation).
    @discardableResult func deleteAllSessions() async throws -> Int
    /// A number that changes whenever sessions are deleted or a user is banned, by this process or another one
    /// (`spiderpig admin` writes the database while the server runs): the server polls it to close the WebSockets
    /// of ended sessions at once.
    func revocationGeneration() async throws -> Int64

    // Login attempts.
    /// Stores a login in progress.
    func insertLoginAttempt(_ attempt: LoginAttempt) async throws
    /// Removes and returns the attempt with `state`, if any.
    func takeLoginAttempt(state: String) async throws -> LoginAttempt?

    // Jobs.
    /// Queues a job at the end of the queue; returns it with its id and position.
    func insertJob(_ job: JobRecord) async throws -> JobRecord
    /// The job.
    func job(_ id: Int64) async throws -> JobRecord?
    /// Saves every field of a job.
    func updateJob(_ job: JobRecord) async throws
    /// Jobs not over, in queue order.
    func activeJobs() async throws -> [JobRecord]
    /// The newest jobs first.
    func recentJobs(limit: Int, offset: Int) async throws -> [JobRecord]

    // Records.
    /// Stores a record of `jobID` with the next sequence number and returns it (atomically).
    func appendRecord(jobID: Int64, kind: String, payload: String, sensitive: Bool, at: Date) async throws -> LogRecord
    /// Stores records of one kind with consecutive sequence numbers in one transaction and returns them.
    func appendRecords(jobID: Int64, kind: String, payloads: [(payload: String, sensitive: Bool)], at: Date) async throws
        -> [LogRecord]
    /// Records of a job with sequence numbers after `after`, at most `limit`.
    func records(jobID: Int64, after: Int64, limit: Int) async throws -> [LogRecord]
    /// Deletes the records of jobs that ended before `date`; returns how many records.
    @discardableResult func pruneRecords(endedBefore date: Date) async throws -> Int

    // Interactions.
    /// Stores a pending interaction and returns it with its id.
    func insertInteraction(_ interaction: InteractionRecord) async throws -> InteractionRecord
    /// The job's pending (unanswered) interaction, if any.
    func pendingInteraction(jobID: Int64) async throws -> InteractionRecord?
    /// Records an answer if the interaction is still pending; returns false if it was already answered.
    func answerInteraction(id: Int64, by user: String, answer: String) async throws -> Bool
    /// Drops the job's pending interactions (answered nowhere: the job ended).
    func closeInteractions(jobID: Int64) async throws

    // Settings.
    /// A setting (e.g. `frozen`).
    func setting(_ key: String) async throws -> String?
    /// Sets or clears a setting.
    func setSetting(_ key: String, _ value: String?) async throws
}
