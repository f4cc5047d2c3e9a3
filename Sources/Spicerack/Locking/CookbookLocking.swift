/// How the runner takes the lock of a run; implemented over SpicerackLocks (local or etcd) or disabled.
public protocol CookbookLocking: Sendable {
    /// Takes the lock `cookbooks/<key>`, waiting as the backend's retry policy says.
    /// - Throws: an error whose description tells the operator who holds the lock and what to do.
    func acquireCookbookLock(key: String, concurrency: Int, ttl: Duration, label: String) async throws
        -> any CookbookLockHandle
}

/// A lock held by a run.
public protocol CookbookLockHandle: Sendable {
    /// Marks the holder as waiting (or not) for the operator, for `cookbook --locks`; returns at once.
    func setWaitingForInput(_ waiting: Bool)
    /// Releases the lock; idempotent.
    func release() async
}

/// Locking switched off (`--no-locks`).
public struct NoCookbookLocking: CookbookLocking {
    /// Creates the no-op locking.
    public init() {}

    public func acquireCookbookLock(key: String, concurrency: Int, ttl: Duration, label: String) async throws
        -> any CookbookLockHandle
    {
        NoLockHandle()
    }

    private struct NoLockHandle: CookbookLockHandle {
        func setWaitingForInput(_ waiting: Bool) {}
        func release() async {}
    }
}
