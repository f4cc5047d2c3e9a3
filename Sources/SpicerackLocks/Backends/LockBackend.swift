/// Where locks live: the seam between the lock manager (``Locks``) and a store (``LocalLockBackend``,
/// ``EtcdLockBackend``).
///
/// Every method is atomic with respect to other processes using the same store. Expired holders never count:
/// a backend drops them (or the store expires them) before deciding anything.
public protocol LockBackend: Sendable {
    /// A short description for messages, such as `etcd at http://127.0.0.1:2379` or `lock directory /run/x`.
    var backendDescription: String { get }

    /// Adds `holder` to the holders of `key` if the concurrency rule allows it.
    ///
    /// Expired holders are dropped first; the holder is refused when the number of live holders has reached the
    /// smallest non-zero concurrency among them and the newcomer (0 = unlimited but tracked).
    /// - Returns: ``LockAcquisition/acquired(_:)`` with the holder as stored, or ``LockAcquisition/busy(_:)`` with
    ///   the live holders.
    /// - Throws: ``LockError`` when the store cannot be used.
    func acquire(key: LockKey, holder: LockHolder) async throws(LockError) -> LockAcquisition

    /// Proves that holder `holderID` of `key` is alive (the heartbeat): moves its expiry to now + TTL and records
    /// whether it waits for input.
    /// - Returns: the holder as now stored.
    /// - Throws: ``LockError`` of kind ``LockError/Kind/lostLease(holderID:reason:)`` when the holder is gone
    ///   (expired or removed), or another ``LockError`` when the store cannot be used.
    func refresh(key: LockKey, holderID: String, waitingForInput: Bool) async throws(LockError) -> LockHolder

    /// Removes holder `holderID` of `key`; releasing a holder that is gone is not an error.
    /// - Throws: ``LockError`` when the store cannot be used.
    func release(key: LockKey, holderID: String) async throws(LockError)

    /// Every key under `prefix` (all prefixes when nil) that has live holders, with those holders.
    /// - Throws: ``LockError`` when the store cannot be read.
    func holders(prefix: LockPrefix?) async throws(LockError) -> [LockKey: [LockHolder]]
}
