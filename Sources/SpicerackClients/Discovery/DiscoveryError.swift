/// A DNS discovery operation that failed (Spicerack's `DiscoveryError` and `DiscoveryCheckError`): a record that
/// does not resolve or resolves to the wrong address or TTL, a datacenter that cannot be depooled, or the
/// conftool change under it.
///
/// ```
/// Services appservers-ro cannot be depooled as they are only active in eqiad
/// ```
public struct DiscoveryError: SpicerackRootError, Equatable {
    /// What went wrong.
    public var message: String
    /// Whether this is a check that may pass later (a TTL or address not yet propagated): retried by the checks.
    public var isCheck: Bool

    /// Creates an error.
    public init(_ message: String, isCheck: Bool = false) {
        self.message = message
        self.isCheck = isCheck
    }

    /// The message.
    public var description: String { message }
}
