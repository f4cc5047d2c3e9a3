/// A deploy lock that could not be taken: the lock file, and why.
public struct DeployLockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The lock file at fault.
    public var path: String
    /// What went wrong, e.g. `Failed to acquire lock after waiting for 10 minute(s)`.
    public var message: String

    /// Creates an error.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `<message> (<path>)`.
    public var description: String { "\(message) (\(path))" }
}
