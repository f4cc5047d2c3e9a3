/// The namespace of a lock under `/spicerack/locks/`, as in Spicerack.
public enum LockPrefix: String, Sendable, Hashable, CaseIterable, Comparable {
    /// The automatic lock of a cookbook run (name = the cookbook's full name, or `name:suffix`).
    case cookbooks
    /// Locks a cookbook takes explicitly (Spicerack's `spicerack.lock()`).
    case custom
    /// Locks taken by Spicerack's own modules; their names must start with `spicerack.`.
    case modules

    /// Orders prefixes alphabetically, as the lock table lists them.
    public static func < (lhs: LockPrefix, rhs: LockPrefix) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
