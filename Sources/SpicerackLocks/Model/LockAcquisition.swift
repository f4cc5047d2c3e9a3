/// What a backend answers to an acquisition attempt.
public enum LockAcquisition: Sendable, Equatable {
    /// The lock is now held; the holder as stored (a backend may adjust its TTL, etcd to its minimum lease).
    case acquired(LockHolder)
    /// The lock is held by as many holders as allowed; these are the live holders.
    case busy([LockHolder])
}
