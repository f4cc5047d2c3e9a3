/// Building a cookbook tree failed as a whole (not one file): what happened and what to do.
public struct BuildError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong.
    public var message: String
    /// What to do about it.
    public var hint: String?

    /// Creates an error.
    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var description: String {
        "cookbook: " + message + (hint.map { " (\($0))" } ?? "")
    }
}
