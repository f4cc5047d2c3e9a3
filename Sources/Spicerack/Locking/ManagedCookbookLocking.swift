import SpicerackLocks
import Synchronization

/// The runner's locks over ``Locks``: `cookbooks/<name>[:suffix]`.
struct ManagedCookbookLocking: CookbookLocking {
    let locks: Locks

    func acquireCookbookLock(key: String, concurrency: Int, ttl: Duration, label: String) async throws
        -> any CookbookLockHandle
    {
        let lockKey = try LockKey(prefix: .cookbooks, name: key)
        return LeaseHandle(lease: try await locks.acquire(lockKey, concurrency: concurrency, ttl: ttl, label: label))
    }

    /// Pushes the latest "waiting for input" state to the lease, without blocking the prompt.
    final class LeaseHandle: CookbookLockHandle, Sendable {
        let lease: LockLease
        private let waiting = Atomic<Bool>(false)

        init(lease: LockLease) {
            self.lease = lease
        }

        func setWaitingForInput(_ waiting: Bool) {
            self.waiting.store(waiting, ordering: .relaxed)
            Task { await self.lease.setWaitingForInput(self.waiting.load(ordering: .relaxed)) }
        }

        func release() async {
            await lease.release()
        }
    }
}
