/// A deploy (or a `scap lock`) that could not be prepared or run: bad arguments, configuration, git or lock
/// problems.
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

extension DeployError {
    /// `scap lock` without a reason (or a blank one).
    static let missingReason = DeployError(
        .usage, "a reason is required: scap lock [--all | --unlock-all] REASON…, e.g. scap lock 'testing a config change'")

    /// `reason` without surrounding blanks.
    /// - Throws: ``missingReason`` when nothing is left.
    static func requireReason(_ reason: String) throws(DeployError) -> String {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw missingReason }
        return trimmed
    }
}
