/// A host query that cannot be parsed or evaluated: what is wrong, where in the query, and what to do.
///
/// Positions count Unicode scalars from 0, like cumin's (pyparsing's) `loc`. `description` shows the query
/// with a caret under the position:
/// ```
/// expected an operator ('and', 'or', 'and not', 'xor') at position 11, found 'b'
///     a and  not b
///                ^
/// hint: 'and not' takes exactly one space between the two words.
/// ```
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem this is; only ``Kind/syntax`` errors make a default-backend query fall back to the
    /// global grammar.
    public enum Kind: Sendable, Equatable {
        /// The text does not follow the grammar.
        case syntax
        /// The query names a backend that exists in cumin but not in this build (`P{}`, `O{}`), or a default
        /// backend that is not registered.
        case unavailableBackend
        /// `A:name` names an alias that is not in `aliases.yaml`.
        case unknownAlias
        /// An alias refers back to itself, directly or through other aliases.
        case aliasCycle
        /// Parentheses and aliases nest deeper than ``QueryGrammar/maximumNestingDepth``.
        case nestingTooDeep
        /// A host expression is not a valid NodeSet (e.g. `host[1-3`).
        case invalidHosts
        /// A known_hosts file of the `K{}` backend cannot be read.
        case knownHostsFile
    }

    /// What kind of problem this is.
    public var kind: Kind
    /// What is wrong, without the position.
    public var message: String
    /// The query text the position refers to.
    public var query: String
    /// The 0-based position (in Unicode scalars) of the problem in ``query``.
    public var position: Int
    /// The offending text at ``position`` (empty at the end of the query).
    public var token: String
    /// What to do about it, when there is more to say than the message.
    public var hint: String?
    /// For a query that failed with both the default backend and the global grammar: the two failures,
    /// each labelled by its grammar in ``label``.
    public var alternatives: [QueryError]
    /// The grammar this error belongs to in a combined error (`direct`, `global`, ...), else `nil`.
    public var label: String?

    /// Creates an error.
    public init(
        kind: Kind, message: String, query: String, position: Int, token: String = "", hint: String? = nil,
        alternatives: [QueryError] = [], label: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.query = query
        self.position = position
        self.token = token
        self.hint = hint
        self.alternatives = alternatives
        self.label = label
    }

    /// The message, the query with a caret under the position (one per alternative) and the hint.
    public var description: String {
        var lines: [String]
        if alternatives.isEmpty {
            lines = [locatedMessage] + caretLines
        } else {
            lines = [message.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""]
            for alternative in alternatives {
                lines.append("\(alternative.label ?? "query"): \(alternative.locatedMessage)")
                lines += alternative.caretLines
            }
        }
        if let hint { lines.append("hint: \(hint)") }
        return lines.joined(separator: "\n")
    }

    /// The message followed by the position and the offending token.
    var locatedMessage: String {
        let found = token.isEmpty ? "at the end of the query" : "found '\(token)'"
        return "\(message) (position \(position), \(found))"
    }

    /// The query on one line (line breaks and tabs shown as spaces) and a caret under the position.
    var caretLines: [String] {
        let shown = String(String.UnicodeScalarView(query.unicodeScalars.map { $0.value < 0x20 ? " " : $0 }))
        let column = min(max(position, 0), query.unicodeScalars.count)
        return ["    " + shown, "    " + String(repeating: " ", count: column) + "^"]
    }
}

extension QueryError {
    /// This error moved into a larger query whose text contains this error's query at `offset`.
    func relocated(into query: String, offset: Int) -> QueryError {
        var moved = self
        moved.query = query
        moved.position += offset
        moved.alternatives = alternatives.map { $0.relocated(into: query, offset: offset) }
        return moved
    }

    /// This error, raised while evaluating the body of alias `name`, reported at the alias token in `query`.
    func insideAlias(_ name: String, body: String, query: String, position aliasPosition: Int) -> QueryError {
        var outer = self
        outer.query = query
        outer.position = aliasPosition
        outer.token = "A:\(name)"
        outer.alternatives = []
        switch kind {
        case .aliasCycle, .nestingTooDeep:
            break
        default:
            outer.message = "in alias A:\(name) = '\(body)', position \(position): \(message)"
        }
        return outer
    }
}
