import SpicerackLocks

/// Locks a cookbook takes for itself, under the `custom` prefix.
public struct CustomLocks: Sendable {
    /// The manager underneath.
    public let locks: Locks

    /// Runs `body` holding the custom lock `name`, released on every path.
    public func withLock<T>(
        _ name: String, concurrency: Int = 1, ttl: Duration = .seconds(1800),
        _ body: (LockLease) async throws -> T
    ) async throws -> T {
        try await locks.withLock(try LockKey(prefix: .custom, name: name), concurrency: concurrency, ttl: ttl, body)
    }

    /// Acquires the custom lock `name`; release the lease when done.
    public func acquire(_ name: String, concurrency: Int = 1, ttl: Duration = .seconds(1800)) async throws -> LockLease {
        try await locks.acquire(try LockKey(prefix: .custom, name: name), concurrency: concurrency, ttl: ttl)
    }
}
