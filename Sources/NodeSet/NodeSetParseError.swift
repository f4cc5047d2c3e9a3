/// An error raised when a node set expression cannot be parsed.
public struct NodeSetParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// The whole expression.
    public var expression: String
    /// 0-based character offset of the problem.
    public var position: Int
    /// The offending fragment.
    public var token: String

    /// Creates a parse error.
    public init(message: String, expression: String, position: Int, token: String) {
        self.message = message
        self.expression = expression
        self.position = position
        self.token = token
    }

    /// Human readable description.
    public var description: String { "\(message) at position \(position): \"\(token)\"" }
}
