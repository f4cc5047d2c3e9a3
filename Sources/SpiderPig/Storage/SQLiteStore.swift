import Foundation
import GRDB

/// ``SpiderPigStore`` on SQLite through GRDB (WAL mode, migrations, one writer).
public final class SQLiteStore: SpiderPigStore {
    private let pool: DatabasePool

    /// Opens (creating if needed) the database at `path`, its directory created with mode 0700.
    public init(path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // In WAL mode NORMAL still survives a crash of SpiderPig (a committed record stays); only a power loss
        // may lose the last transactions. FULL would wait for a disk flush at every batch of log lines.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        pool = try DatabasePool(path: path, configuration: configuration)
        chmod(path, 0o600)
    }

    private var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE user (
                        name TEXT PRIMARY KEY NOT NULL, otp_seed TEXT NOT NULL, last_otp_step INTEGER NOT NULL DEFAULT 0,
                        failed_attempts INTEGER NOT NULL DEFAULT 0, first_failure_at DOUBLE, locked_until DOUBLE,
                        banned INTEGER NOT NULL DEFAULT 0);
                    CREATE TABLE session (
                        id_hash TEXT PRIMARY KEY NOT NULL, user TEXT NOT NULL, role TEXT NOT NULL,
                        fully_authenticated INTEGER NOT NULL, csrf_token TEXT NOT NULL, created_at DOUBLE NOT NULL,
                        expires_at DOUBLE NOT NULL);
                    CREATE INDEX session_user ON session(user);
                    CREATE TABLE login_attempt (
                        state TEXT PRIMARY KEY NOT NULL, nonce TEXT NOT NULL, code_verifier TEXT NOT NULL,
                        created_at DOUBLE NOT NULL);
                    CREATE TABLE job (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, owner TEXT NOT NULL, lane TEXT NOT NULL,
                        summary TEXT NOT NULL, directory TEXT NOT NULL, arguments TEXT NOT NULL, state TEXT NOT NULL,
                        position DOUBLE NOT NULL, queued_at DOUBLE NOT NULL, ready_asked_at DOUBLE, started_at DOUBLE,
                        ended_at DOUBLE, exit_status INTEGER, status TEXT, progress TEXT, pid INTEGER,
                        pid_start_time INTEGER, next_sequence INTEGER NOT NULL DEFAULT 1);
                    CREATE INDEX job_state ON job(state);
                    CREATE TABLE record (
                        job_id INTEGER NOT NULL REFERENCES job(id), sequence INTEGER NOT NULL, at DOUBLE NOT NULL,
                        kind TEXT NOT NULL, payload TEXT NOT NULL, sensitive INTEGER NOT NULL,
                        PRIMARY KEY (job_id, sequence)) WITHOUT ROWID;
                    CREATE TABLE interaction (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, job_id INTEGER NOT NULL REFERENCES job(id),
                        prompt TEXT NOT NULL, choices TEXT NOT NULL, default_code TEXT, answered_by TEXT, answer TEXT,
                        open INTEGER NOT NULL DEFAULT 1);
                    CREATE TABLE setting (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    """)
        }
        // A backport's changes (JSON list of ChangeInfo), shown in the queue and on the job page.
        migrator.registerMigration("v2-job-changes") { db in
            try db.execute(sql: "ALTER TABLE job ADD COLUMN changes TEXT")
        }
        return migrator
    }

    public func migrate() async throws { try migrator.migrate(pool) }

    // MARK: Users

    private static func user(_ row: Row) -> UserRecord {
        UserRecord(
            name: row["name"], otpSeed: row["otp_seed"], lastOTPStep: row["last_otp_step"],
            failedAttempts: row["failed_attempts"], firstFailureAt: date(row["first_failure_at"]),
            lockedUntil: date(row["locked_until"]), banned: row["banned"])
    }

    private static func date(_ value: Double?) -> Date? { value.map { Date(timeIntervalSince1970: $0) } }

    public func user(_ name: String) async throws -> UserRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM user WHERE name = ?", arguments: [name]).map(Self.user)
        }
    }

    public func userCreatingIfNeeded(_ name: String, seed: String) async throws -> UserRecord {
        try await pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO user (name, otp_seed) VALUES (?, ?)", arguments: [name, seed])
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM user WHERE name = ?", arguments: [name]) else {
                throw StoreError.missing("user \(name)")
            }
            return Self.user(row)
        }
    }

    public func saveUser(_ user: UserRecord) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO user (name, otp_seed, last_otp_step, failed_attempts, first_failure_at, locked_until, banned)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET otp_seed = excluded.otp_seed, last_otp_step = excluded.last_otp_step,
                    failed_attempts = excluded.failed_attempts, first_failure_at = excluded.first_failure_at,
                    locked_until = excluded.locked_until, banned = excluded.banned
                    """,
                arguments: [
                    user.name, user.otpSeed, user.lastOTPStep, user.failedAttempts,
                    user.firstFailureAt?.timeIntervalSince1970, user.lockedUntil?.timeIntervalSince1970, user.banned,
                ])
            if user.banned { try Self.advanceRevocation(db) }
        }
    }

    // MARK: Sessions

    private static func session(_ row: Row) -> SessionRecord {
        SessionRecord(
            idHash: row["id_hash"], user: row["user"], role: Role(rawValue: row["role"]) ?? .viewer,
            fullyAuthenticated: row["fully_authenticated"], csrfToken: row["csrf_token"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            expiresAt: Date(timeIntervalSince1970: row["expires_at"]))
    }

    public func insertSession(_ session: SessionRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM session WHERE expires_at < ?", arguments: [Date().timeIntervalSince1970])
            try db.execute(
                sql: """
                    INSERT INTO session (id_hash, user, role, fully_authenticated, csrf_token, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.idHash, session.user, session.role.rawValue, session.fullyAuthenticated,
                    session.csrfToken, session.createdAt.timeIntervalSince1970, session.expiresAt.timeIntervalSince1970,
                ])
        }
    }

    public func session(idHash: String, now: Date) async throws -> SessionRecord? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM session WHERE id_hash = ? AND expires_at > ?",
                arguments: [idHash, now.timeIntervalSince1970]
            ).map(Self.session)
        }
    }

    public func updateSession(_ session: SessionRecord) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE session SET role = ?, fully_authenticated = ?, csrf_token = ?, expires_at = ? WHERE id_hash = ?",
                arguments: [
                    session.role.rawValue, session.fullyAuthenticated, session.csrfToken,
                    session.expiresAt.timeIntervalSince1970, session.idHash,
                ])
        }
    }

    public func deleteSession(idHash: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM session WHERE id_hash = ?", arguments: [idHash])
            try Self.advanceRevocation(db)
        }
    }

    public func deleteSessions(user: String) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM session WHERE user = ?", arguments: [user])
            let count = db.changesCount
            try Self.advanceRevocation(db)
            return count
        }
    }

    public func deleteAllSessions() async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM session")
            let count = db.changesCount
            try Self.advanceRevocation(db)
            return count
        }
    }

    private static func advanceRevocation(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO setting (key, value) VALUES ('revocation_generation', '1')
                ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
                """)
    }

    public func revocationGeneration() async throws -> Int64 {
        try await pool.read { db in
            let sql = "SELECT CAST(value AS INTEGER) FROM setting WHERE key = 'revocation_generation'"
            return try Int64.fetchOne(db, sql: sql) ?? 0
        }
    }

    // MARK: Login attempts

    public func insertLoginAttempt(_ attempt: LoginAttempt) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM login_attempt WHERE created_at < ?",
                arguments: [Date().timeIntervalSince1970 - 600])
            try db.execute(
                sql: "INSERT INTO login_attempt (state, nonce, code_verifier, created_at) VALUES (?, ?, ?, ?)",
                arguments: [attempt.state, attempt.nonce, attempt.codeVerifier, attempt.createdAt.timeIntervalSince1970])
        }
    }

    public func takeLoginAttempt(state: String) async throws -> LoginAttempt? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM login_attempt WHERE state = ?", arguments: [state])
            else { return nil }
            try db.execute(sql: "DELETE FROM login_attempt WHERE state = ?", arguments: [state])
            return LoginAttempt(
                state: row["state"], nonce: row["nonce"], codeVerifier: row["code_verifier"],
                createdAt: Date(timeIntervalSince1970: row["created_at"]))
        }
    }

    // MARK: Jobs

    private static func job(_ row: Row) -> JobRecord {
        let argumentsJSON: String = row["arguments"]
        let arguments = (try? JSONDecoder().decode([String].self, from: Data(argumentsJSON.utf8))) ?? []
        var job = JobRecord(
            id: row["id"], kind: JobKind(rawValue: row["kind"]) ?? .deploy, owner: row["owner"], lane: row["lane"],
            summary: row["summary"], directory: row["directory"], arguments: arguments,
            state: JobState(rawValue: row["state"]) ?? .interrupted, position: row["position"],
            queuedAt: Date(timeIntervalSince1970: row["queued_at"]))
        job.readyAskedAt = date(row["ready_asked_at"])
        job.startedAt = date(row["started_at"])
        job.endedAt = date(row["ended_at"])
        job.exitStatus = row["exit_status"]
        job.status = row["status"]
        job.progress = row["progress"]
        job.pid = row["pid"]
        job.pidStartTime = row["pid_start_time"]
        if let changes: String = row["changes"] {
            job.changes = (try? JSONDecoder().decode([ChangeInfo].self, from: Data(changes.utf8))) ?? []
        }
        return job
    }

    private static func arguments(_ job: JobRecord) -> StatementArguments {
        let argumentsJSON = (try? JSONEncoder().encode(job.arguments)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return [
            job.kind.rawValue, job.owner, job.lane, job.summary, job.directory, argumentsJSON, job.state.rawValue,
            job.position, job.queuedAt.timeIntervalSince1970, job.readyAskedAt?.timeIntervalSince1970,
            job.startedAt?.timeIntervalSince1970, job.endedAt?.timeIntervalSince1970, job.exitStatus, job.status,
            job.progress, job.pid, job.pidStartTime,
            job.changes.isEmpty
                ? nil : (try? JSONEncoder().encode(job.changes)).map { String(decoding: $0, as: UTF8.self) },
        ]
    }

    private static let jobColumns =
        "kind, owner, lane, summary, directory, arguments, state, position, queued_at, ready_asked_at, started_at, "
        + "ended_at, exit_status, status, progress, pid, pid_start_time, changes"

    public func insertJob(_ job: JobRecord) async throws -> JobRecord {
        try await pool.write { db in
            var job = job
            let last = try Double.fetchOne(db, sql: "SELECT MAX(position) FROM job") ?? 0
            job.position = last + 1
            let marks = Array(repeating: "?", count: 18).joined(separator: ", ")
            try db.execute(
                sql: "INSERT INTO job (\(Self.jobColumns)) VALUES (\(marks))",
                arguments: Self.arguments(job))
            job.id = db.lastInsertedRowID
            return job
        }
    }

    public func job(_ id: Int64) async throws -> JobRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM job WHERE id = ?", arguments: [id]).map(Self.job)
        }
    }

    public func updateJob(_ job: JobRecord) async throws {
        try await pool.write { db in
            let assignments = Self.jobColumns.split(separator: ",").map { "\($0.trimmingCharacters(in: .whitespaces)) = ?" }
            var arguments = Self.arguments(job)
            arguments += [job.id]
            try db.execute(sql: "UPDATE job SET \(assignments.joined(separator: ", ")) WHERE id = ?", arguments: arguments)
        }
    }

    public func activeJobs() async throws -> [JobRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM job WHERE state IN ('queued', 'awaiting_ready', 'set_aside', 'running', 'deployed') ORDER BY position"
            ).map(Self.job)
        }
    }

    public func recentJobs(limit: Int, offset: Int) async throws -> [JobRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM job ORDER BY id DESC LIMIT ? OFFSET ?", arguments: [limit, offset]
            ).map(Self.job)
        }
    }

    // MARK: Records

    public func appendRecord(jobID: Int64, kind: String, payload: String, sensitive: Bool, at: Date) async throws
        -> LogRecord
    {
        try await pool.write { db in
            guard let next = try Int64.fetchOne(db, sql: "SELECT next_sequence FROM job WHERE id = ?", arguments: [jobID])
            else { throw StoreError.missing("job \(jobID)") }
            try db.execute(sql: "UPDATE job SET next_sequence = ? WHERE id = ?", arguments: [next + 1, jobID])
            try db.execute(
                sql: "INSERT INTO record (job_id, sequence, at, kind, payload, sensitive) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [jobID, next, at.timeIntervalSince1970, kind, payload, sensitive])
            return LogRecord(jobID: jobID, sequence: next, at: at, kind: kind, payload: payload, sensitive: sensitive)
        }
    }

    public func appendRecords(jobID: Int64, kind: String, payloads: [(payload: String, sensitive: Bool)], at: Date)
        async throws -> [LogRecord]
    {
        try await pool.write { db in
            guard let next = try Int64.fetchOne(db, sql: "SELECT next_sequence FROM job WHERE id = ?", arguments: [jobID])
            else { throw StoreError.missing("job \(jobID)") }
            try db.execute(
                sql: "UPDATE job SET next_sequence = ? WHERE id = ?", arguments: [next + Int64(payloads.count), jobID])
            let statement = try db.cachedStatement(
                sql: "INSERT INTO record (job_id, sequence, at, kind, payload, sensitive) VALUES (?, ?, ?, ?, ?, ?)")
            var records: [LogRecord] = []
            for (offset, item) in payloads.enumerated() {
                let sequence = next + Int64(offset)
                try statement.execute(
                    arguments: [jobID, sequence, at.timeIntervalSince1970, kind, item.payload, item.sensitive])
                records.append(
                    LogRecord(jobID: jobID, sequence: sequence, at: at, kind: kind, payload: item.payload, sensitive: item.sensitive))
            }
            return records
        }
    }

    public func records(jobID: Int64, after: Int64, limit: Int) async throws -> [LogRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM record WHERE job_id = ? AND sequence > ? ORDER BY sequence LIMIT ?",
                arguments: [jobID, after, limit]
            ).map { row in
                LogRecord(
                    jobID: row["job_id"], sequence: row["sequence"], at: Date(timeIntervalSince1970: row["at"]),
                    kind: row["kind"], payload: row["payload"], sensitive: row["sensitive"])
            }
        }
    }

    public func pruneRecords(endedBefore date: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM record WHERE job_id IN (SELECT id FROM job WHERE ended_at IS NOT NULL AND ended_at < ?)",
                arguments: [date.timeIntervalSince1970])
            return db.changesCount
        }
    }

    // MARK: Interactions

    private static func interaction(_ row: Row) -> InteractionRecord {
        let choicesJSON: String = row["choices"]
        let choices = (try? JSONDecoder().decode([InteractionRecord.Choice].self, from: Data(choicesJSON.utf8))) ?? []
        return InteractionRecord(
            id: row["id"], jobID: row["job_id"], prompt: row["prompt"], choices: choices,
            defaultCode: row["default_code"], answeredBy: row["answered_by"], answer: row["answer"])
    }

    public func insertInteraction(_ interaction: InteractionRecord) async throws -> InteractionRecord {
        try await pool.write { db in
            let choices = String(decoding: try JSONEncoder().encode(interaction.choices), as: UTF8.self)
            try db.execute(sql: "UPDATE interaction SET open = 0 WHERE job_id = ?", arguments: [interaction.jobID])
            try db.execute(
                sql: "INSERT INTO interaction (job_id, prompt, choices, default_code) VALUES (?, ?, ?, ?)",
                arguments: [interaction.jobID, interaction.prompt, choices, interaction.defaultCode])
            var stored = interaction
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    public func pendingInteraction(jobID: Int64) async throws -> InteractionRecord? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM interaction WHERE job_id = ? AND open = 1 AND answer IS NULL ORDER BY id DESC",
                arguments: [jobID]
            ).map(Self.interaction)
        }
    }

    public func answerInteraction(id: Int64, by user: String, answer: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE interaction SET answered_by = ?, answer = ? WHERE id = ? AND open = 1 AND answer IS NULL",
                arguments: [user, answer, id])
            return db.changesCount == 1
        }
    }

    public func closeInteractions(jobID: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE interaction SET open = 0 WHERE job_id = ?", arguments: [jobID])
        }
    }

    // MARK: Settings

    public func setting(_ key: String) async throws -> String? {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key]) }
    }

    public func setSetting(_ key: String, _ value: String?) async throws {
        try await pool.write { db in
            if let value {
                try db.execute(
                    sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: [key, value])
            } else {
                try db.execute(sql: "DELETE FROM setting WHERE key = ?", arguments: [key])
            }
        }
    }
}

/// A storage failure that is not the database's own.
public enum StoreError: Error, CustomStringConvertible {
    /// A row that should exist does not.
    case missing(String)

    public var description: String {
        switch self {
        case .missing(let what): "not in the database: \(what)"
        }
    }
}
