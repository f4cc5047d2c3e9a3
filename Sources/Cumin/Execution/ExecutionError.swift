/// An execution that cannot start or cannot go on, with a message a user can act on.
public struct ExecutionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong and what to do.
    public var message: String
    /// The host concerned, when the problem is one host's.
    public var host: String?

    /// Creates an error.
    public init(_ message: String, host: String? = nil) {
        self.message = message
        self.host = host
    }

    /// The message, prefixed with the host when there is one.
    public var description: String { host.map { "\($0): \(message)" } ?? message }
}
