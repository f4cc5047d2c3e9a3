/// A Puppet operation that failed (Spicerack's `PuppetHostsError` and `PuppetHostsCheckError`): a remote command
/// that failed, or a check (enabled, disabled, a recent successful run) that did not hold.
public struct PuppetError: SpicerackRootError, Equatable {
    /// What went wrong, naming the hosts.
    public var message: String
    /// Whether this is a check that may pass later (retried by ``PuppetHosts/waitSince(_:tries:delay:)``).
    public var isCheck: Bool

    /// Creates an error.
    public init(_ message: String, isCheck: Bool = false) {
        self.message = message
        self.isCheck = isCheck
    }

    /// The message.
    public var description: String { message }
}
