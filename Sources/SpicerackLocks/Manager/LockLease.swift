import Foundation
import Logging
import OpsSupport
import Synchronization

/// A lock held by this process, kept alive by a heartbeat until ``release()``.
///
/// While held, a background task refreshes the holding every third of its TTL (at most every 250 ms), so a long
/// run never loses its lock and a crashed one frees it within one TTL. ``setWaitingForInput(_:)`` publishes that
/// the run waits for its user, which others see in their "busy" messages and in the lock table.
///
/// A lease from a dry run, or from ``Locks`` without a backend, holds nothing: its operations only log.
public final class LockLease: Sendable {
    /// How a lease holds its lock.
    enum Mode: Sendable {
        /// Really held in `backend`, with a heartbeat.
        case held(any LockBackend)
        /// Checked but not written (dry run).
        case dryRun
        /// Locking is disabled (`--no-locks` or no configuration).
        case disabled
    }

    private struct State {
        var holder: LockHolder
        var heartbeat: Task<Void, Never>?
        var released = false
        var lost: LockError?
    }

    /// The key held.
    public let key: LockKey
    /// The time between two refreshes: a third of the TTL, at least 250 ms.
    public let heartbeatInterval: Duration
    private let mode: Mode
    private let logger: Logger
    private let state: Mutex<State>

    init(key: LockKey, holder: LockHolder, mode: Mode, logger: Logger) {
        self.key = key
        self.mode = mode
        self.logger = logger
        self.heartbeatInterval = max(.seconds(Double(holder.ttl) / 3), .milliseconds(250))
        self.state = Mutex(State(holder: holder))
        if case .held = mode {
            _ = startHeartbeat(beatingFirst: false)
        }
    }

    deinit {
        state.withLock { $0.heartbeat?.cancel() }
    }

    /// The holder as last stored (its `refreshed` moves with every heartbeat).
    public var holder: LockHolder { state.withLock { $0.holder } }

    /// Whether ``release()`` was called.
    public var isReleased: Bool { state.withLock { $0.released } }

    /// Why the lock was lost while held (it expired or was removed), or nil while it is held.
    public var lostError: LockError? { state.withLock { $0.lost } }

    /// Whether the lease really holds a lock in a backend (not a dry run, locking enabled).
    public var isEffective: Bool {
        if case .held = mode { return true }
        return false
    }

    /// Records whether the run waits for its user, and publishes it at once with a refresh.
    ///
    /// Call it from the run's own task (calls are not meant to overlap).
    public func setWaitingForInput(_ waiting: Bool) async {
        let previous: Task<Void, Never>?? = state.withLock { state in
            guard state.holder.waitingForInput != waiting else { return .none }
            state.holder.waitingForInput = waiting
            defer { state.heartbeat = nil }
            return .some(state.heartbeat)
        }
        guard case .some(let heartbeat) = previous, case .held = mode else { return }
        // The heartbeat is the only writer: stop it, then restart it with an immediate refresh.
        heartbeat?.cancel()
        await heartbeat?.value
        await startHeartbeat(beatingFirst: true)?.value
    }

    /// Releases the lock (idempotent): stops the heartbeat, then removes the holding from the backend.
    ///
    /// Failures are logged, not thrown: the holding then expires by itself after its TTL. The backend call runs
    /// in its own task, so the release also happens when the calling task is cancelled.
    public func release() async {
        let taken: Task<Void, Never>?? = state.withLock { state in
            guard !state.released else { return .none }
            state.released = true
            defer { state.heartbeat = nil }
            return .some(state.heartbeat)
        }
        guard case .some(let heartbeat) = taken else { return }
        heartbeat?.cancel()
        await heartbeat?.value
        switch mode {
        case .disabled:
            return
        case .dryRun:
            logger.info("Skipping lock release in DRY-RUN mode for key \(key.path)")
        case .held(let backend):
            let key = self.key
            let holder = self.holder
            let failure = await Task { () -> LockError? in
                do throws(LockError) {
                    try await backend.release(key: key, holderID: holder.id)
                    return nil
                } catch {
                    return error
                }
            }.value
            if let failure {
                let left = HumanDuration.format(holder.expires.timeIntervalSinceNow)
                logger.error("Unable to release lock for key \(key.path) (it expires by itself in \(left)): \(failure)")
            } else {
                logger.info("Released lock for key \(key.path)")
            }
        }
    }

    /// Starts the heartbeat unless the lease is released; returns the task of the immediate first refresh.
    @discardableResult
    private func startHeartbeat(beatingFirst: Bool) -> Task<Void, Never>? {
        let interval = heartbeatInterval
        let beats = Int((Double(30 * 86400) / interval.inSeconds).rounded(.up))
        return state.withLock { state in
            guard !state.released, state.lost == nil else { return nil }
            let first = beatingFirst ? Task { [weak self] in _ = await self?.beat() } : nil
            state.heartbeat = Task { [weak self] in
                await first?.value
                // Bounded: at most 30 days of beats; it normally ends at release (cancellation) or loss.
                for _ in 0..<beats {
                    do { try await Task.sleep(for: interval) } catch { return }
                    guard let lease = self, await lease.beat() else { return }
                }
            }
            return first
        }
    }

    /// Refreshes the holding once; returns whether the heartbeat should go on.
    private func beat() async -> Bool {
        guard case .held(let backend) = mode else { return false }
        let current: LockHolder? = state.withLock { $0.released || $0.lost != nil ? nil : $0.holder }
        guard let current else { return false }
        do throws(LockError) {
            let updated = try await backend.refresh(
                key: key, holderID: current.id, waitingForInput: current.waitingForInput)
            state.withLock { $0.holder = updated }
            return true
        } catch {
            if state.withLock({ $0.released }) || Task.isCancelled || error.kind == .cancelled { return false }
            if case .lostLease = error.kind {
                state.withLock { $0.lost = error }
                logger.error("\(error)")
                return false
            }
            let retry = String(format: "%.2f", heartbeatInterval.inSeconds)
            logger.warning("Unable to refresh lock for key \(key.path), retrying in \(retry)s: \(error.summary)")
            return true
        }
    }
}
