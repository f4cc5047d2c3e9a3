import Foundation

/// An error of the locking layer: what failed, on which key, and what the user can do about it.
///
/// ``description`` is one paragraph meant for a person; it names the holders of a busy lock (owner, host, pid,
/// age, time left, whether they wait for input) and suggests the next step.
public struct LockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The lock is held by `allowed` holders already (`allowed` is nil only if the backend could not say).
        case busy(holders: [LockHolder], allowed: Int?)
        /// The backend (etcd, the lock directory) could not be used for `operation`.
        case backendUnavailable(backend: String, operation: String, reason: String)
        /// The lock name is not acceptable.
        case invalidName(name: String, reason: String)
        /// The request itself is invalid (negative concurrency, zero TTL, ...).
        case invalidRequest(reason: String)
        /// The holding `holderID` is gone: expired, or removed by someone else.
        case lostLease(holderID: String, reason: String)
        /// Stored lock data at `location` cannot be read.
        case corruptData(location: String, reason: String)
        /// The task waiting for the lock was cancelled.
        case cancelled
    }

    /// What went wrong.
    public var kind: Kind
    /// The full path of the lock concerned (as given, for an invalid name).
    public var key: String
    /// When the error was observed; ages and times left in ``description`` are computed at this time.
    public var observedAt: Date

    /// Creates an error.
    public init(_ kind: Kind, key: String, observedAt: Date = Date()) {
        self.kind = kind
        self.key = key
        self.observedAt = observedAt
    }

    /// Whether the error is a busy lock (the only kind worth waiting for).
    public var isBusy: Bool {
        if case .busy = kind { return true }
        return false
    }

    /// The short form used in retry logs: for a busy lock `held by 1 of 1 allowed:` and one indented line per
    /// holder; otherwise the first sentence of ``description``.
    public var summary: String {
        switch kind {
        case .busy(let holders, let allowed):
            let lines = holders.map { "\n    " + $0.summary(at: observedAt) }.joined()
            return "held by \(holders.count) of \(allowed.map(String.init) ?? "?") allowed:\(lines)"
        default:
            return problem
        }
    }

    /// What happened and what to do, in one paragraph.
    public var description: String {
        "\(problem) \(advice)"
    }

    private var problem: String {
        switch kind {
        case .busy(let holders, let allowed):
            let list = holders.map { $0.summary(at: observedAt) }.joined(separator: "; ")
            let limit = allowed.map { "\($0) allowed" } ?? "the allowed number"
            return "Lock \(key) is busy: held by \(holders.count) of \(limit): \(list)."
        case .backendUnavailable(let backend, let operation, let reason):
            return "Unable to \(operation) lock \(key): \(backend) failed: \(reason)."
        case .invalidName(let name, let reason):
            return "Invalid lock name '\(name)' (\(key)): \(reason)."
        case .invalidRequest(let reason):
            return "Invalid request for lock \(key): \(reason)."
        case .lostLease(let holderID, let reason):
            return "Lost lock \(key) (holder \(holderID)): \(reason)."
        case .corruptData(let location, let reason):
            return "Unreadable lock data for \(key) at \(location): \(reason)."
        case .cancelled:
            return "Stopped waiting for lock \(key): the task was cancelled."
        }
    }

    private var advice: String {
        switch kind {
        case .busy(let holders, _):
            var text = "Wait for a holder to finish and try again"
            if let latest = holders.map(\.expires).max(), latest > observedAt {
                let left = HumanDuration.format(latest.timeIntervalSince(observedAt))
                text += " (a holder that died without releasing frees its slot within \(left) at most)"
            }
            text += "."
            let waiting = holders.filter(\.waitingForInput).map(\.user)
            if !waiting.isEmpty {
                text += " \(Set(waiting).sorted().joined(separator: ", ")) should answer the prompt of their run."
            }
            return text
        case .backendUnavailable:
            return "Check that the lock backend is running and reachable from this host and retry; only if it is "
                + "broken, run with --no-locks (nothing then prevents concurrent runs)."
        case .invalidName:
            return "Lock names are not empty, contain no '/' or control characters, and module locks start with "
                + "'spicerack.'."
        case .invalidRequest:
            return "Use a concurrency of 0 (unlimited) or more and a TTL of at least one second."
        case .lostLease:
            return "Other runs may hold the lock now: check what they do before going on, and use a longer TTL if "
                + "this run was suspended or disconnected."
        case .corruptData:
            return "Remove the unreadable entry (etcdctl del, or delete the file) once you are sure nothing holds the "
                + "lock."
        case .cancelled:
            return "Nothing was acquired."
        }
    }
}
