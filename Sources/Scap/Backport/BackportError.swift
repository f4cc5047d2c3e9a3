/// Why `scap backport` stopped, with what to do about it.
public struct BackportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of a failure, which decides the exit code.
    public enum Kind: Sendable, Equatable {
        /// Bad arguments or configuration (exit 2).
        case usage
        /// The changes cannot be backported as they are: unknown, abandoned, not deployable, missing dependencies,
        /// a merge conflict, a failed Gerrit vote or build (exit 1, nothing deployed).
        case changes
        /// Anything else that stops the backport (exit 1).
        case failed
        /// Ctrl-C before the sync (exit 130).
        case interrupted
    }

    /// The class of the failure.
    public var kind: Kind
    /// What happened, where, and what to do.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A description for logs.
    public var description: String { message }
}
