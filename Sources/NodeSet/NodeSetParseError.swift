/// An error raised when a node set expression cannot be parsed.
///
/// Messages are ClusterShell's (`missing bracket`, `illegal reopening bracket`, `padding length mismatch`,
/// `missing nodeset operand with ',' operator`, ...); `position` and `token` say where and what.
public struct NodeSetParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which layer rejected the input.
    public enum Kind: Sendable, Equatable {
        /// The expression structure: brackets, operators, node names.
        case syntax
        /// The inside of a bracket: a range, its padding or its step (ClusterShell's "bad range").
        case range
    }

    /// What is wrong, e.g. `"padding length mismatch"`.
    public var message: String
    /// The whole expression that was parsed.
    public var expression: String
    /// 0-based character offset of the problem in `expression`.
    public var position: Int
    /// The offending fragment, e.g. the sub-range `01-1` or the operator `,`.
    public var token: String
    /// Whether the expression structure or a bracketed range was rejected.
    public var kind: Kind

    /// Creates a parse error.
    /// - Parameters:
    ///   - message: what is wrong.
    ///   - expression: the whole input.
    ///   - position: 0-based character offset of the problem.
    ///   - token: the offending fragment.
    ///   - kind: `.syntax` (default) or `.range`.
    public init(message: String, expression: String, position: Int, token: String, kind: Kind = .syntax) {
        self.message = message
        self.expression = expression
        self.position = position
        self.token = token
        self.kind = kind
    }

    /// One line saying what, the fragment and where, e.g.
    /// `bad range: padding length mismatch: "01-1" at position 2 in "n[01-1]"`.
    public var description: String {
        let prefix = kind == .range ? "bad range: " : ""
        let fragment = token.isEmpty ? "" : ": \"\(token)\""
        return "\(prefix)\(message)\(fragment) at position \(position) in \"\(expression)\""
    }

    /// The expression with a caret under the offending position, two lines.
    public var caretDiagnostic: String {
        let prefix = String(repeating: " ", count: max(0, position))
        return "\(expression)\n\(prefix)^"
    }
}
