/// An action the user aborted at a prompt (`wmflib.interactive.AbortError`).
public struct AbortError: Error, Sendable, Equatable, CustomStringConvertible, CausedError {
    /// What was aborted, e.g. `Confirmation manually aborted`.
    public var message: String
    /// The description of the failure the user chose to abort on, if any.
    public var underlying: String?

    /// Creates an error.
    /// - Parameters:
    ///   - message: what was aborted.
    ///   - underlying: the failure that led to the abort, if any.
    public init(_ message: String, underlying: String? = nil) {
        self.message = message
        self.underlying = underlying
    }

    /// The message.
    public var description: String { message }

    /// The failure that led to the abort.
    public var causeDescription: String? { underlying }
}
