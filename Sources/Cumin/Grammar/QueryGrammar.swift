/// Cumin's query grammars: the global grammar (`D{...}`, `K{...}`, `A:alias`) and the host grammar of the direct
/// and knownhosts backends.
///
/// Both grammars are `item (boolean item)*` with parentheses for grouping and no operator precedence; see
/// ``QueryExpression``. Whitespace (space, tab, line breaks) separates tokens freely.
/// ```swift
/// let tree = try QueryGrammar.parseGlobal("D{host[1-3]} and not A:web")
/// let hosts = try QueryGrammar.parseHosts("host[1-5] or host[6-10] and host[5-6]")
/// ```
public enum QueryGrammar {
    /// The deepest nesting of parentheses and aliases a query may use.
    public static let maximumNestingDepth = 64

    /// Backend prefixes that cumin knows but this build does not provide, with their backend names.
    static let unavailableBackends: [Character: String] = ["P": "puppetdb", "O": "openstack"]

    /// Parses `query` with the global grammar.
    ///
    /// - Parameters:
    ///   - query: e.g. `(D{host1 or host2} and A:web) xor K{db*}`.
    ///   - backendPrefixes: the upper-case prefix letters of the registered backends.
    /// - Throws: ``QueryError`` of kind ``QueryError/Kind/syntax``, or ``QueryError/Kind/unavailableBackend`` for
    ///   `P{...}` and `O{...}`.
    public static func parseGlobal(
        _ query: String, backendPrefixes: Set<Character> = ["D", "K"]
    ) throws(QueryError) -> QueryExpression {
        var parser = QueryParser(query, grammar: .global(prefixes: backendPrefixes))
        return try parser.parse()
    }

    /// Parses `query` with the host grammar of the direct backend (`wildcards: false`) or of the knownhosts
    /// backend (`wildcards: true`, which also allows `*` and `?` in host expressions).
    public static func parseHosts(_ query: String, wildcards: Bool = false) throws(QueryError) -> QueryExpression {
        var parser = QueryParser(query, grammar: .hosts(wildcards: wildcards))
        return try parser.parse()
    }

    /// Parses with a limited nesting budget, for alias bodies evaluated inside other queries.
    static func parseGlobal(
        _ query: String, backendPrefixes: Set<Character>, depth: Int
    ) throws(QueryError) -> QueryExpression {
        var parser = QueryParser(query, grammar: .global(prefixes: backendPrefixes), depth: depth)
        return try parser.parse()
    }
}

/// A recursive-descent parser for one query text.
struct QueryParser {
    enum Grammar {
        case global(prefixes: Set<Character>)
        case hosts(wildcards: Bool)
    }

    let text: QueryText
    let grammar: Grammar
    /// The current nesting depth of parentheses (plus the depth of the enclosing alias, if any).
    var depth: Int

    init(_ query: String, grammar: Grammar, depth: Int = 0) {
        text = QueryText(query)
        self.grammar = grammar
        self.depth = depth
    }

    mutating func parse() throws(QueryError) -> QueryExpression {
        if depth > QueryGrammar.maximumNestingDepth { throw tooDeep(at: text.start) }
        let (expression, after) = try parseChain(at: text.start)
        let position = text.skipWhitespace(from: after)
        guard position >= text.end else {
            if text[position] == ")" {
                throw error(
                    at: position, "unbalanced ')': there is no '(' to close", hint: "remove the ')' or add a '('")
            }
            throw expectedOperator(at: position, after: expression, adjacent: position == after)
        }
        return expression
    }

    /// `item (boolean item)*` starting at `position`; returns the expression and the position after it.
    private mutating func parseChain(at position: Int) throws(QueryError) -> (QueryExpression, Int) {
        var (first, current) = try parseItem(at: text.skipWhitespace(from: position), after: nil)
        var rest: [QueryOperation] = []
        while true {
            let operatorPosition = text.skipWhitespace(from: current)
            guard let (booleanOperator, afterOperator) = text.booleanOperator(at: operatorPosition) else { break }
            let (operand, next) = try parseItem(
                at: text.skipWhitespace(from: afterOperator), after: (booleanOperator, operatorPosition))
            rest.append(QueryOperation(booleanOperator, operand))
            current = next
        }
        if rest.isEmpty { return (first, current) }
        first = .chain(first, rest)
        return (first, current)
    }

    /// One item at `position` (whitespace already skipped); `after` is the operator before it, if any.
    private mutating func parseItem(
        at position: Int, after previous: (BooleanOperator, Int)?
    ) throws(QueryError) -> (QueryExpression, Int) {
        guard let scalar = text[position] else {
            if let (booleanOperator, operatorPosition) = previous {
                throw error(
                    at: position, "expected \(itemDescription) after '\(booleanOperator.rawValue)'",
                    hint: "complete the query after the operator at position \(operatorPosition), or remove it")
            }
            throw error(at: position, "empty query: expected \(itemDescription)")
        }
        if scalar == "(" { return try parseGroup(at: position) }
        switch grammar {
        case .hosts(let wildcards):
            return try parseHosts(at: position, wildcards: wildcards)
        case .global(let prefixes):
            return try parseGlobalItem(at: position, prefixes: prefixes)
        }
    }

    private mutating func parseGroup(at position: Int) throws(QueryError) -> (QueryExpression, Int) {
        depth += 1
        defer { depth -= 1 }
        if depth > QueryGrammar.maximumNestingDepth { throw tooDeep(at: position) }
        let (inner, after) = try parseChain(at: position + 1)
        let closing = text.skipWhitespace(from: after)
        guard text[closing] == ")" else {
            if closing < text.end {
                throw expectedOperator(at: closing, after: inner, adjacent: closing == after, closing: position)
            }
            throw error(
                at: closing, "missing ')' to close the '(' at position \(position)", hint: "add ')' at the end")
        }
        return (inner, closing + 1)
    }

    // MARK: - Host grammar

    private func parseHosts(at position: Int, wildcards: Bool) throws(QueryError) -> (QueryExpression, Int) {
        if let (booleanOperator, _) = text.booleanOperator(at: position) {
            throw error(
                at: position, "expected \(itemDescription), not the operator '\(booleanOperator.rawValue)'",
                hint: "an operator needs hosts on both sides; a host named like an operator cannot be queried")
        }
        var current = position
        while let scalar = text[current], Self.isHostCharacter(scalar, wildcards: wildcards) { current += 1 }
        guard current > position else {
            throw error(
                at: position, "expected \(itemDescription)",
                hint: hostCharacterHint(text[position], wildcards: wildcards))
        }
        return (.hosts(text.string(position..<current), position: position), current)
    }

    /// pyparsing `Word(alphanums + "-_.,!&^[]")`, plus `*?` for the knownhosts backend.
    static func isHostCharacter(_ scalar: Unicode.Scalar, wildcards: Bool) -> Bool {
        if QueryText.isASCIIAlphanumeric(scalar) { return true }
        switch scalar {
        case "-", "_", ".", ",", "!", "&", "^", "[", "]": return true
        case "*", "?": return wildcards
        default: return false
        }
    }

    private func hostCharacterHint(_ scalar: Unicode.Scalar?, wildcards: Bool) -> String {
        switch scalar {
        case "*", "?":
            "wildcards work only in the knownhosts backend: K{\(text.token(at: text.start))}"
        case "/":
            "the direct backend does not accept the step syntax [a-b/s]; list the indexes instead"
        case "{", ":":
            "backend queries (D{...}, K{...}) and aliases (A:name) belong to the global grammar"
        case "'", "\"":
            "host expressions are not quoted"
        default:
            "host expressions use letters, digits and -_.,!&^[]" + (wildcards ? "*?" : "")
        }
    }

    // MARK: - Global grammar

    private func parseGlobalItem(at position: Int, prefixes: Set<Character>) throws(QueryError) -> (
        QueryExpression, Int
    ) {
        guard let scalar = text[position] else { throw error(at: position, "expected \(itemDescription)") }
        let letter = Character(QueryText.upper(scalar))
        if text[position + 1] == "{", QueryText.isASCIILetter(scalar) {
            if prefixes.contains(letter) {
                return try parseBackendQuery(at: position, prefix: letter, prefixes: prefixes)
            }
            if let name = QueryGrammar.unavailableBackends[letter] {
                throw QueryError(
                    kind: .unavailableBackend,
                    message: "backend \(letter) (\(name)) is not available in this build; use D{} or K{}",
                    query: text.text, position: position, token: text.token(at: position),
                    hint: "select the hosts with D{host[1-3]} or K{pattern*} instead")
            }
            let known = prefixes.sorted().map { "\($0){...}" }.joined(separator: ", ")
            throw error(at: position, "unknown backend '\(letter)'", hint: "registered backends: \(known)")
        }
        if letter == "A", text[position + 1] == ":" {
            var current = position + 2
            while let character = text[current], Self.isAliasCharacter(character) { current += 1 }
            guard current > position + 2 else {
                throw error(
                    at: position + 2, "expected an alias name after 'A:'",
                    hint: "alias names use letters, digits and -_.+")
            }
            return (.alias(text.string(position + 2..<current), position: position), current)
        }
        throw error(
            at: position, "expected \(itemDescription)",
            hint: "write hosts as D{host[1-3]} (or set a default backend), aliases as A:name")
    }

    /// `X{` then everything up to the first `}` outside a quoted string; another `X{` before it is an error.
    private func parseBackendQuery(
        at position: Int, prefix: Character, prefixes: Set<Character>
    ) throws(QueryError) -> (QueryExpression, Int) {
        let queryStart = position + 2
        var current = queryStart
        while current <= text.end {
            let nested = text.skipWhitespace(from: current)
            if let scalar = text[nested], text[nested + 1] == "{",
                prefixes.contains(Character(QueryText.upper(scalar)))
                    || QueryGrammar.unavailableBackends[Character(QueryText.upper(scalar))] != nil
            {
                throw error(
                    at: nested, "backend queries cannot be nested inside \(prefix){...}",
                    hint: "close the \(prefix){ at position \(position) with '}' first, then combine the two with "
                        + "an operator")
            }
            while let quoted = text.quotedStringEnd(at: text.skipWhitespace(from: current)) { current = quoted }
            if text[current] == "}" {
                let query = text.string(queryStart..<current)
                return (.backendQuery(prefix: prefix, query: query, position: position), current + 1)
            }
            current += 1
        }
        throw error(
            at: text.end, "missing '}' to close the '\(prefix){' at position \(position)", hint: "add '}'")
    }

    /// pyparsing `Word(alphanums + "-_.+")` of `A:name`.
    static func isAliasCharacter(_ scalar: Unicode.Scalar) -> Bool {
        QueryText.isASCIIAlphanumeric(scalar) || scalar == "-" || scalar == "_" || scalar == "." || scalar == "+"
    }

    // MARK: - Errors

    private var itemDescription: String {
        switch grammar {
        case .global: "D{...}, K{...}, A:alias or '('"
        case .hosts: "hosts or '('"
        }
    }

    private func error(at position: Int, _ message: String, hint: String? = nil) -> QueryError {
        QueryError(
            kind: .syntax, message: message, query: text.text, position: position, token: text.token(at: position),
            hint: hint)
    }

    private func tooDeep(at position: Int) -> QueryError {
        QueryError(
            kind: .nestingTooDeep,
            message: "parentheses and aliases nest deeper than \(QueryGrammar.maximumNestingDepth) levels",
            query: text.text, position: position, token: text.token(at: position),
            hint: "flatten the query; operators apply left to right, so many parentheses are not needed")
    }

    /// Something other than an operator follows a complete item (`adjacent`: without whitespace in between).
    private func expectedOperator(
        at position: Int, after expression: QueryExpression, adjacent: Bool, closing: Int? = nil
    ) -> QueryError {
        if adjacent, case .hosts(let wildcards) = grammar, let scalar = text[position], scalar != "(",
            !Self.isHostCharacter(scalar, wildcards: wildcards)
        {
            return error(
                at: position, "the character '\(scalar)' is not allowed in host expressions",
                hint: hostCharacterHint(scalar, wildcards: wildcards))
        }
        var hint = "join items with 'and', 'or', 'and not' or 'xor'"
        if let closing { hint += ", or close the '(' at position \(closing) with ')'" }
        if case .chain(_, let rest) = expression, let last = rest.last, last.operator == .and,
            case .hosts(let word, _) = last.operand, word.lowercased() == "not"
        {
            hint = "'and not' takes exactly one space between the two words"
        } else if case .hosts = expression, text[position] == "{" || text[position] == ":" {
            hint = "under a default backend, write the whole query either in its grammar or in the global grammar"
        }
        return error(at: position, "expected an operator ('and', 'or', 'and not', 'xor')", hint: hint)
    }
}
