/// Invalid or missing input from the user at an interactive prompt (`wmflib.interactive.InputError`).
///
/// Thrown when not in a TTY, on invalid arguments to a prompt, or after too many invalid answers.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// Creates an error with the given message.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
