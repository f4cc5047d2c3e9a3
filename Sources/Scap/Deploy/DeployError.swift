/// A deploy that could not be prepared or run: bad arguments, configuration, git or lock problems.
///
/// Host failures during the stages are not errors: they are reported in ``DeployOutcome``.
public struct DeployError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it is, which decides the exit code.
    public enum Kind: Sendable, Equatable {
        /// A bad option or argument (exit 2).
        case usage
        /// The configuration, the repository or the lock (exit 1).
        case setup
    }

    /// Usage or setup.
    public var kind: Kind
    /// What went wrong and what to do about it.
    public var message: String

    /// Creates an error of `kind`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Creates a setup error.
    public init(_ message: String) { self.init(.setup, message) }

    /// The message.
    public var description: String { message }
}
