import Foundation
import Logging
import OpsSupport

/// The lock manager of a run: acquires locks with Spicerack's retry and dry-run rules and hands out leases.
///
/// Without a backend (`--no-locks`, or no lock configuration) every lock is a no-op. In dry-run mode a lock is
/// checked once and never written. Otherwise a busy lock is retried according to ``retry``, logging who holds it:
///
/// ```
/// [1/27, retrying in 5.00s] Unable to acquire lock for key /spicerack/locks/cookbooks/x: held by 1 of 1 allowed:
///     alice@cumin1001 [123], pid 123, held 2m 5s, 28m left, waiting for input
/// ```
///
/// ```swift
/// let locks = Locks(backend: EtcdLockBackend(endpoints: endpoints), logger: logger)
/// try await locks.withLock(try LockKey(prefix: .custom, name: "my-lock"), concurrency: 1, ttl: .seconds(600)) {
///     lease in
///     try await doTheWork()
/// }
/// ```
public struct Locks: Sendable {
    /// Where locks live; nil when locking is disabled.
    public let backend: (any LockBackend)?
    /// Whether this is a dry run: locks are checked, never written.
    public let dryRun: Bool
    /// Who takes the locks.
    public let identity: LockIdentity
    /// Where acquisitions, waits and releases are logged.
    public let logger: Logger
    /// How long to keep trying a busy lock (a dry run makes one try).
    public let retry: LockRetryPolicy

    /// Creates a manager.
    /// - Parameters:
    ///   - backend: the lock store, or nil to disable locking.
    ///   - dryRun: check locks without writing them, trying once.
    ///   - identity: who takes the locks; this process by default.
    ///   - logger: where messages go.
    ///   - retry: how long to wait for busy locks; Spicerack's 27 tries, linear 5 s, by default.
    public init(
        backend: (any LockBackend)?, dryRun: Bool = false, identity: LockIdentity = .current, logger: Logger,
        retry: LockRetryPolicy = .spicerack
    ) {
        self.backend = backend
        self.dryRun = dryRun
        self.identity = identity
        self.logger = logger
        self.retry = retry
    }

    /// Whether locks are really checked (a backend is configured).
    public var isEnabled: Bool { backend != nil }

    /// Acquires `key`, waiting while it is busy, and returns a lease kept alive until released.
    /// - Parameters:
    ///   - key: the lock.
    ///   - concurrency: how many holders may hold it together, 0 for unlimited (but tracked).
    ///   - ttl: how long the holding survives without a heartbeat (whole seconds, at least one).
    ///   - label: what takes the lock, shown to others (e.g. the cookbook and its arguments).
    /// - Returns: the lease; call ``LockLease/release()`` when done (or use ``withLock(_:concurrency:ttl:label:isolation:_:)``).
    /// - Throws: ``LockError``: busy after every try, backend unavailable, invalid request, or cancelled.
    public func acquire(
        _ key: LockKey, concurrency: Int = 1, ttl: Duration = .seconds(1800), label: String? = nil
    ) async throws(LockError) -> LockLease {
        let holder = LockHolder(
            identity: identity, concurrency: concurrency, ttl: ttl.wholeSecondsRoundedUp, label: label)
        guard let backend else {
            return LockLease(key: key, holder: holder, mode: .disabled, logger: logger)
        }
        guard concurrency >= 0 else {
            throw LockError(.invalidRequest(reason: "concurrency \(concurrency) is negative"), key: key.path)
        }
        guard ttl >= .seconds(1) else {
            throw LockError(.invalidRequest(reason: "TTL \(ttl) is shorter than one second"), key: key.path)
        }
        let policy = retry.effective(dryRun: dryRun)
        // Bounded by the policy's number of tries.
        for attempt in 1...policy.tries {
            let outcome = try await attemptAcquire(key, holder: holder, backend: backend)
            switch outcome {
            case .acquired(let stored):
                if dryRun {
                    logger.info("Skipping lock acquire in DRY-RUN mode for key \(key.path)")
                    return LockLease(key: key, holder: stored, mode: .dryRun, logger: logger)
                }
                let ttl = HumanDuration.format(Double(stored.ttl))
                logger.info("Acquired lock for key \(key.path) (concurrency \(stored.concurrency), TTL \(ttl))")
                return LockLease(key: key, holder: stored, mode: .held(backend), logger: logger)
            case .busy(let holders):
                let allowed = LockAdmission.limit(live: holders, newcomerConcurrency: concurrency)
                let error = LockError(.busy(holders: holders, allowed: allowed), key: key.path)
                guard attempt < policy.tries else { throw error }
                let wait = policy.delay(afterAttempt: attempt)
                let seconds = String(format: "%.2f", wait.inSeconds)
                logger.warning(
                    "[\(attempt)/\(policy.tries), retrying in \(seconds)s] Unable to acquire lock for key \(key.path): \(error.summary)"
                )
                do {
                    try await Task.sleep(for: wait)
                } catch {
                    throw LockError(.cancelled, key: key.path)
                }
            }
        }
        // Unreachable: the last try returns or throws.
        throw LockError(.busy(holders: [], allowed: nil), key: key.path)
    }

    /// Runs `body` holding `key`, releasing it on every path: normal return, thrown error, cancellation.
    /// - Parameters:
    ///   - key: the lock.
    ///   - concurrency: how many holders may hold it together, 0 for unlimited.
    ///   - ttl: how long the holding survives without a heartbeat.
    ///   - label: what takes the lock, shown to others.
    ///   - body: the work; it receives the lease (e.g. to call ``LockLease/setWaitingForInput(_:)``).
    /// - Returns: what `body` returns.
    /// - Throws: ``LockError`` when the lock cannot be acquired, or what `body` throws.
    public func withLock<T>(
        _ key: LockKey, concurrency: Int = 1, ttl: Duration = .seconds(1800), label: String? = nil,
        isolation: isolated (any Actor)? = #isolation, _ body: (LockLease) async throws -> T
    ) async throws -> T {
        let lease = try await acquire(key, concurrency: concurrency, ttl: ttl, label: label)
        do {
            let result = try await body(lease)
            await lease.release()
            return result
        } catch {
            await lease.release()
            throw error
        }
    }

    /// Every key under `prefix` (all when nil) with its live holders; empty when locking is disabled.
    /// - Throws: ``LockError`` when the backend cannot be read.
    public func holders(prefix: LockPrefix? = nil) async throws(LockError) -> [LockKey: [LockHolder]] {
        guard let backend else { return [:] }
        return try await backend.holders(prefix: prefix)
    }

    /// One attempt: a real acquisition, or in dry-run mode a read and the admission check.
    private func attemptAcquire(
        _ key: LockKey, holder: LockHolder, backend: any LockBackend
    ) async throws(LockError) -> LockAcquisition {
        guard dryRun else {
            return try await backend.acquire(key: key, holder: holder)
        }
        let live = try await backend.holders(prefix: key.prefix)[key] ?? []
        let admitted = LockAdmission.admits(live: live, newcomerConcurrency: holder.concurrency)
        return admitted ? .acquired(holder) : .busy(live)
    }
}
