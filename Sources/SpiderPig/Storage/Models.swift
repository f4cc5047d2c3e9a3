import Foundation

/// What a user may do, from their IdP groups (highest wins).
public enum Role: String, Sendable, Codable, Comparable, CaseIterable {
    case viewer, deployer, admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .deployer: 1
        case .admin: 2
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// A SpiderPig user: the TOTP seed and its anti-replay and lockout state, and whether they are banned.
public struct UserRecord: Sendable, Equatable {
    /// The IdP user name.
    public var name: String
    /// The TOTP secret (raw bytes as ASCII; the otpauth URL carries its base32).
    public var otpSeed: String
    /// The 30 s step of the last accepted code (a code of that step or earlier is refused).
    public var lastOTPStep: Int64
    /// Failures since `firstFailureAt`.
    public var failedAttempts: Int
    /// Start of the current failure window.
    public var firstFailureAt: Date?
    /// Locked out until then.
    public var lockedUntil: Date?
    /// Banned: no login, no session.
    public var banned: Bool

    /// Creates a record.
    public init(
        name: String, otpSeed: String, lastOTPStep: Int64 = 0, failedAttempts: Int = 0, firstFailureAt: Date? = nil,
        lockedUntil: Date? = nil, banned: Bool = false
    ) {
        self.name = name
        self.otpSeed = otpSeed
        self.lastOTPStep = lastOTPStep
        self.failedAttempts = failedAttempts
        self.firstFailureAt = firstFailureAt
        self.lockedUntil = lockedUntil
        self.banned = banned
    }
}

/// A server-side session. The cookie holds `id`; the database holds only its SHA-256.
public struct SessionRecord: Sendable, Equatable {
    /// SHA-256 (hex) of the cookie value.
    public var idHash: String
    /// The user.
    public var user: String
    /// The role from the IdP groups at login.
    public var role: Role
    /// The second factor was passed.
    public var fullyAuthenticated: Bool
    /// The CSRF token every state-changing request must carry.
    public var csrfToken: String
    /// Created.
    public var createdAt: Date
    /// Expires.
    public var expiresAt: Date

    /// Creates a record.
    public init(
        idHash: String, user: String, role: Role, fullyAuthenticated: Bool, csrfToken: String, createdAt: Date,
        expiresAt: Date
    ) {
        self.idHash = idHash
        self.user = user
        self.role = role
        self.fullyAuthenticated = fullyAuthenticated
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// A login in progress: the OIDC `state`, `nonce` and PKCE verifier, kept until the IdP redirects back.
public struct LoginAttempt: Sendable, Equatable {
    /// The `state` parameter.
    public var state: String
    /// The `nonce` the ID token must carry.
    public var nonce: String
    /// The PKCE code verifier.
    public var codeVerifier: String
    /// Created (attempts expire after 10 minutes).
    public var createdAt: Date

    /// Creates an attempt.
    public init(state: String, nonce: String, codeVerifier: String, createdAt: Date) {
        self.state = state
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.createdAt = createdAt
    }
}

/// Where a job stands.
public enum JobState: String, Sendable, Codable, CaseIterable {
    /// Waiting in the queue.
    case queued
    /// At the head of its lane: its owner is asked "Ready to deploy?".
    case awaitingReady = "awaiting_ready"
    /// Its owner did not answer in time: set aside until they requeue it.
    case setAside = "set_aside"
    /// scap runs.
    case running
    /// scap succeeded; the lane stays held until the owner clicks "Finish deployment".
    case deployed
    /// Finished by its owner (or an admin).
    case finished
    /// scap failed or was stopped.
    case failed
    /// Cancelled before it ran.
    case cancelled
    /// The server stopped while it ran.
    case interrupted

    /// The job holds its lane (no other job of that lane may start).
    public var holdsLane: Bool { self == .awaitingReady || self == .running || self == .deployed }
    /// The job is over.
    public var isOver: Bool { [.finished, .failed, .cancelled, .interrupted].contains(self) }
}

/// What a job runs.
public enum JobKind: String, Sendable, Codable {
    /// `scap deploy` of a repository.
    case deploy
    /// `scap backport` of changes.
    case backport
}

/// A queued or past job.
public struct JobRecord: Sendable, Equatable, Codable {
    /// Id (never reused).
    public var id: Int64
    /// What it runs.
    public var kind: JobKind
    /// Who asked for it.
    public var owner: String
    /// The lane: one job at a time per lane (the repository; `backport` for backports).
    public var lane: String
    /// What it deploys, for people (repository and revision, or change numbers).
    public var summary: String
    /// The deploy directory scap runs in.
    public var directory: String
    /// The scap arguments after the executable (the subcommand first).
    public var arguments: [String]
    /// Where it stands.
    public var state: JobState
    /// Order in the queue (smaller first).
    public var position: Double
    /// Queued.
    public var queuedAt: Date
    /// The owner was asked whether ready.
    public var readyAskedAt: Date?
    /// scap started.
    public var startedAt: Date?
    /// scap ended (or the job was cancelled/finished).
    public var endedAt: Date?
    /// scap's exit status (negative: killed by that signal).
    public var exitStatus: Int?
    /// The last `status` record.
    public var status: String?
    /// The last `progress` record's JSON.
    public var progress: String?
    /// The child's process group id while it runs.
    public var pid: Int32?
    /// The child's start time (clock ticks since boot) to recognise it after a restart.
    public var pidStartTime: Int64?
    /// A backport's changes: as requested, then as scap described them.
    public var changes: [ChangeInfo] = []

    /// Creates a job.
    public init(
        id: Int64 = 0, kind: JobKind, owner: String, lane: String, summary: String, directory: String,
        arguments: [String], state: JobState = .queued, position: Double = 0, queuedAt: Date = Date()
    ) {
        self.id = id
        self.kind = kind
        self.owner = owner
        self.lane = lane
        self.summary = summary
        self.directory = directory
        self.arguments = arguments
        self.state = state
        self.position = position
        self.queuedAt = queuedAt
    }
}

/// One stored record of a job's log: what scap sent (line, status, progress, interaction) or what SpiderPig
/// added (answer, signal, exit), numbered per job from 1.
public struct LogRecord: Sendable, Equatable {
    /// The job.
    public var jobID: Int64
    /// Sequence number within the job, from 1, without gaps.
    public var sequence: Int64
    /// When it was stored.
    public var at: Date
    /// `line`, `status`, `progress`, `interaction`, `answer`, `signal`, `exit`, `state`.
    public var kind: String
    /// The record as a JSON object (without the io key).
    public var payload: String
    /// A sensitive line: shown only to its owner and admins, on request.
    public var sensitive: Bool

    /// Creates a record.
    public init(jobID: Int64, sequence: Int64, at: Date, kind: String, payload: String, sensitive: Bool) {
        self.jobID = jobID
        self.sequence = sequence
        self.at = at
        self.kind = kind
        self.payload = payload
        self.sensitive = sensitive
    }
}

/// A question scap asked: pending until answered with one of its codes.
public struct InteractionRecord: Sendable, Equatable {
    /// Id (never reused).
    public var id: Int64
    /// The job.
    public var jobID: Int64
    /// The prompt text.
    public var prompt: String
    /// The choices in display order: label and code.
    public var choices: [Choice]
    /// The default code.
    public var defaultCode: String?
    /// Who answered.
    public var answeredBy: String?
    /// The answer.
    public var answer: String?

    /// One choice.
    public struct Choice: Sendable, Equatable, Codable {
        /// What the button says.
        public var label: String
        /// What scap reads.
        public var code: String
    }
}
