import NodeSet

/// A boolean operator of cumin's grammars; all of them are caseless keywords.
public enum BooleanOperator: String, Sendable, Equatable, CaseIterable {
    /// `and`: intersection.
    case and = "and"
    /// `and not` (exactly one space): difference.
    case andNot = "and not"
    /// `or`: union.
    case or = "or"
    /// `xor`: symmetric difference.
    case xor = "xor"

    /// Applies the operator to the accumulated hosts and the next operand.
    public func apply(_ accumulated: NodeSet, _ operand: NodeSet) -> NodeSet {
        switch self {
        case .and: accumulated.intersection(operand)
        case .andNot: accumulated.subtracting(operand)
        case .or: accumulated.union(operand)
        case .xor: accumulated.symmetricDifference(operand)
        }
    }
}

/// A parsed host query: the syntax tree of the global grammar or of a host backend's grammar.
///
/// There is no operator precedence: a ``chain(_:_:)`` folds its operands strictly left to right, so
/// `a or b and c` is `chain(a, [or b, and c])` and means `(a or b) and c`. Parentheses produce a nested chain.
public indirect enum QueryExpression: Sendable, Equatable, CustomStringConvertible {
    /// A whitespace-free host expression of the direct or knownhosts grammar (`host[1-3].example.org`), with the
    /// position of its first character.
    case hosts(String, position: Int)
    /// `X{query}` of the global grammar: the backend's prefix letter (upper case), the text between the braces
    /// (unstripped), and the position of the prefix letter.
    case backendQuery(prefix: Character, query: String, position: Int)
    /// `A:name` of the global grammar, with the position of the `A`.
    case alias(String, position: Int)
    /// Operands folded left to right: the first, then each operator with its operand.
    case chain(QueryExpression, [QueryOperation])

    /// The expression written back in its grammar, with parentheses around nested chains.
    public var description: String {
        switch self {
        case .hosts(let text, _): text
        case .backendQuery(let prefix, let query, _): "\(prefix){\(query)}"
        case .alias(let name, _): "A:\(name)"
        case .chain(let first, let rest):
            ([first.operandDescription] + rest.map { "\($0.operator.rawValue) \($0.operand.operandDescription)" })
                .joined(separator: " ")
        }
    }

    private var operandDescription: String {
        if case .chain = self { return "(\(description))" }
        return description
    }

    /// Evaluates the expression, folding chains left to right and asking `leaf` for every other node.
    ///
    /// - Parameter leaf: evaluates a non-chain node; it receives the node and its parenthesis depth.
    func evaluate(
        depth: Int = 0, leaf: (QueryExpression, Int) throws(QueryError) -> NodeSet
    ) throws(QueryError) -> NodeSet {
        guard case .chain(let first, let rest) = self else { return try leaf(self, depth) }
        var hosts = try first.evaluate(depth: depth + 1, leaf: leaf)
        for operation in rest {
            hosts = operation.operator.apply(hosts, try operation.operand.evaluate(depth: depth + 1, leaf: leaf))
        }
        return hosts
    }
}

/// One step of a ``QueryExpression/chain(_:_:)``: an operator and its right-hand operand.
public struct QueryOperation: Sendable, Equatable {
    /// The operator joining the accumulated hosts and ``operand``.
    public var `operator`: BooleanOperator
    /// The right-hand operand.
    public var operand: QueryExpression

    /// Creates a step.
    public init(_ operator: BooleanOperator, _ operand: QueryExpression) {
        self.operator = `operator`
        self.operand = operand
    }
}
