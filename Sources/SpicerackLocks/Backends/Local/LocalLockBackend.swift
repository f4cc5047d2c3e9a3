import Foundation

/// Locks in a directory of this machine, for hosts without etcd and for tests: one JSON file per key.
///
/// Every read-modify-write runs under an exclusive `flock` on `<directory>/.lock` and replaces the key's file
/// atomically, so processes sharing the directory see consistent holders. Holders expire after their TTL, and
/// holders from this host whose process no longer exists are dropped at once.
///
/// ```swift
/// let locks = Locks(backend: LocalLockBackend(directory: "/run/spicerack-locks"), logger: logger)
/// ```
public struct LocalLockBackend: LockBackend {
    /// The directory holding the lock files (created with mode 0700 on first write).
    public let directory: String
    /// The name of this host: holders from it whose PID is dead, or reused by a later process (another start
    /// time), are dropped.
    public let hostname: String
    private let files: LockDirectory

    /// Creates a backend on `directory`.
    /// - Parameters:
    ///   - directory: where the lock files live; created (0700) on the first acquisition.
    ///   - hostname: this machine's name, compared with holders' hosts to check their PIDs.
    ///   - lockTimeout: how long to wait for another process to release the directory's `flock`.
    public init(
        directory: String, hostname: String = LockIdentity.currentHostName(), lockTimeout: Duration = .seconds(10)
    ) {
        self.directory = directory
        self.hostname = hostname
        self.files = LockDirectory(path: directory, lockTimeout: lockTimeout)
    }

    /// `lock directory <path>`.
    public var backendDescription: String { files.description }

    /// Adds `holder` under the `flock` if the live holders leave room (see ``LockBackend/acquire(key:holder:)``).
    public func acquire(key: LockKey, holder: LockHolder) async throws(LockError) -> LockAcquisition {
        try await update(key, operation: "acquire") { holders throws(LockError) in
            guard LockAdmission.admits(live: holders, newcomerConcurrency: holder.concurrency) else {
                return .busy(holders)
            }
            holders.append(holder)
            return .acquired(holder)
        }
    }

    /// Moves the holder's expiry to now + TTL and records `waitingForInput`, under the `flock`.
    public func refresh(key: LockKey, holderID: String, waitingForInput: Bool) async throws(LockError) -> LockHolder {
        try await update(key, operation: "refresh") { holders throws(LockError) in
            guard let index = holders.firstIndex(where: { $0.id == holderID }) else {
                throw LockError(
                    .lostLease(
                        holderID: holderID,
                        reason: "it is no longer in \(files.file(for: key)): it expired or was removed"),
                    key: key.path)
            }
            holders[index].refreshed = Date()
            holders[index].waitingForInput = waitingForInput
            return holders[index]
        }
    }

    /// Removes the holder under the `flock`; the key's file goes with its last holder.
    public func release(key: LockKey, holderID: String) async throws(LockError) {
        guard FileManager.default.fileExists(atPath: files.file(for: key)) else { return }
        try await update(key, operation: "release") { holders throws(LockError) in
            holders.removeAll { $0.id == holderID }
        }
    }

    /// Reads without the `flock`: files are replaced atomically, so each read sees one complete version.
    public func holders(prefix: LockPrefix?) async throws(LockError) -> [LockKey: [LockHolder]] {
        var result: [LockKey: [LockHolder]] = [:]
        let now = Date()
        for key in try files.keys(prefix: prefix) {
            let live = try files.read(key).filter { isLive($0, at: now) }
            if !live.isEmpty { result[key] = live }
        }
        return result
    }

    /// Runs `body` on the live holders of `key` under the `flock`, writing them back when they changed
    /// (expired and dead holders are dropped in passing).
    private func update<T>(
        _ key: LockKey, operation: String, _ body: (inout [LockHolder]) throws(LockError) -> T
    ) async throws(LockError) -> T {
        try files.create(for: key, operation: operation)
        return try await files.withExclusiveLock(key, operation: operation) { () throws(LockError) -> T in
            let stored = try files.read(key)
            let now = Date()
            var holders = stored.filter { isLive($0, at: now) }
            let result = try body(&holders)
            if holders != stored {
                try files.write(holders, for: key, operation: operation)
            }
            return result
        }
    }

    private func isLive(_ holder: LockHolder, at now: Date) -> Bool {
        !holder.isExpired(at: now) && !(holder.host == hostname && Self.processIsGone(holder))
    }

    /// Whether the process of `holder` (of this host) has exited, or its PID now names a later process.
    static func processIsGone(_ holder: LockHolder) -> Bool {
        if SpicerackLocks.processIsGone(holder.pid) { return true }
        guard let recorded = holder.pidStartTime, let current = processStartTime(holder.pid) else { return false }
        return recorded != current
    }
}
