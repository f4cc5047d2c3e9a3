/// A `deploy-log` filter expression that does not parse, with the position of the problem.
public struct DeployLogFilterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The expression as given.
    public var expression: String
    /// The 0-based character offset of the problem in ``expression``.
    public var position: Int
    /// What is wrong and what is expected.
    public var message: String

    /// Creates an error.
    public init(expression: String, position: Int, message: String) {
        self.expression = expression
        self.position = position
        self.message = message
    }

    /// `invalid filter at position N: MESSAGE`.
    public var description: String { "invalid filter at position \(position): \(message)" }

    /// The expression with a caret under the problem, for terminals.
    public var caretDiagnostic: String {
        expression + "\n" + String(repeating: " ", count: position) + "^"
    }
}
