import Foundation

extension DeployLogFilter {
    /// A word of a filter expression, after shell-style quoting is removed.
    struct Token: Equatable {
        var text: String
        /// The 0-based character offset where the word starts.
        var position: Int
        /// Whether any part of the word was quoted or escaped (such a word is never a keyword).
        var quoted: Bool
    }

    /// The deepest nesting of `(` and `not` a filter may have (as in cumin's query grammar).
    public static let maximumNestingDepth = 64
    /// The most comparisons one filter may hold (`and`/`or` chains are evaluated recursively).
    public static let maximumComparisons = 256

    /// Parses a filter expression; the empty expression matches every record.
    ///
    /// Nesting deeper than ``maximumNestingDepth`` or more than ``maximumComparisons`` comparisons is an error.
    /// - Throws: ``DeployLogFilterError`` with the position of an unterminated quote, a missing or unknown
    ///   operator, a missing value, an invalid regular expression, or unbalanced parentheses.
    public init(parsing expression: String) throws(DeployLogFilterError) {
        var parser = Parser(source: expression, tokens: try Self.tokenize(expression))
        self.init(expression: try parser.parse())
    }

    /// Splits like Python's `shlex.split`: whitespace separates words; `'…'` is literal; `"…"` allows `\"` and `\\`;
    /// a backslash outside quotes escapes the next character.
    static func tokenize(_ source: String) throws(DeployLogFilterError) -> [Token] {
        var tokens: [Token] = []
        var current: Token?
        var quote: (character: Character, position: Int)?
        var escaping = false
        for (offset, character) in source.enumerated() {
            if escaping {
                current?.text.append(character)
                escaping = false
                continue
            }
            if let open = quote {
                if character == open.character {
                    quote = nil
                } else if character == "\\", open.character == "\"" {
                    escaping = true
                } else {
                    current?.text.append(character)
                }
                continue
            }
            if character.isWhitespace {
                if let token = current { tokens.append(token) }
                current = nil
                continue
            }
            if current == nil { current = Token(text: "", position: offset, quoted: false) }
            switch character {
            case "'", "\"":
                quote = (character, offset)
                current?.quoted = true
            case "\\":
                escaping = true
                current?.quoted = true
            default:
                current?.text.append(character)
            }
        }
        if let open = quote {
            throw DeployLogFilterError(
                expression: source, position: open.position, message: "unterminated \(open.character) quote")
        }
        if escaping {
            throw DeployLogFilterError(
                expression: source, position: source.count - 1, message: "a backslash at the end escapes nothing")
        }
        if let token = current { tokens.append(token) }
        return tokens
    }

    private struct Parser {
        let source: String
        let tokens: [Token]
        var index = 0
        /// The current nesting of `(` and `not`.
        var depth = 0
        var comparisons = 0

        init(source: String, tokens: [Token]) {
            self.source = source
            self.tokens = tokens
        }

        mutating func parse() throws(DeployLogFilterError) -> Expression {
            guard !tokens.isEmpty else { return .all }
            let expression = try parseOr()
            if isKeyword(")", at: index) { throw error(at: tokens[index], "')' without a matching '('") }
            if index < tokens.count {
                throw error(at: tokens[index], "unexpected '\(tokens[index].text)'; expected a comparison, 'and' or 'or'")
            }
            return expression
        }

        private func error(at token: Token?, _ message: String) -> DeployLogFilterError {
            DeployLogFilterError(expression: source, position: token?.position ?? source.count, message: message)
        }

        /// Whether the token at `offset` is the bare keyword `word` (not a field followed by an operator).
        private func isKeyword(_ word: String, at offset: Int) -> Bool {
            guard offset < tokens.count, !tokens[offset].quoted, tokens[offset].text == word else { return false }
            if word == ")" { return true }
            guard offset + 1 < tokens.count else { return true }
            let next = tokens[offset + 1]
            return next.quoted || Operator(rawValue: next.text) == nil
        }

        private mutating func parseOr() throws(DeployLogFilterError) -> Expression {
            var expression = try parseAnd()
            while isKeyword("or", at: index) {
                index += 1
                expression = .or(expression, try parseAnd())
            }
            return expression
        }

        private mutating func parseAnd() throws(DeployLogFilterError) -> Expression {
            var expression = try parseUnary()
            while index < tokens.count, !isKeyword("or", at: index), !isKeyword(")", at: index) {
                if isKeyword("and", at: index) { index += 1 }
                expression = .and(expression, try parseUnary())
            }
            return expression
        }

        private mutating func parseUnary() throws(DeployLogFilterError) -> Expression {
            guard index < tokens.count else {
                let previous = index > 0 ? "after '\(tokens[index - 1].text)'" : "here"
                throw error(at: nil, "expected a comparison 'field op value' \(previous)")
            }
            let nests = isKeyword("not", at: index) || isKeyword("(", at: index)
            if nests {
                guard depth < DeployLogFilter.maximumNestingDepth else {
                    throw error(
                        at: tokens[index],
                        "nested too deeply (more than \(DeployLogFilter.maximumNestingDepth) levels of '(' and 'not')")
                }
                depth += 1
            }
            defer { if nests { depth -= 1 } }
            if isKeyword("not", at: index) {
                index += 1
                return .not(try parseUnary())
            }
            if isKeyword("(", at: index) {
                let open = tokens[index]
                index += 1
                let inner = try parseOr()
                guard isKeyword(")", at: index) else {
                    throw error(at: open, "'(' is not closed; add ')' as a separate word")
                }
                index += 1
                return inner
            }
            if isKeyword(")", at: index) { throw error(at: tokens[index], "')' without a matching '('") }
            comparisons += 1
            guard comparisons <= DeployLogFilter.maximumComparisons else {
                throw error(
                    at: tokens[index], "too many comparisons (more than \(DeployLogFilter.maximumComparisons))")
            }
            return .comparison(try parseComparison())
        }

        private mutating func parseComparison() throws(DeployLogFilterError) -> Comparison {
            let field = tokens[index]
            guard index + 1 < tokens.count else {
                throw error(at: nil, "expected an operator after '\(field.text)' (one of = == ~ > >= < <=)")
            }
            let opToken = tokens[index + 1]
            guard let op = Operator(rawValue: opToken.text) else {
                throw error(at: opToken, "invalid operator '\(opToken.text)'; expected one of = == ~ > >= < <=")
            }
            guard index + 2 < tokens.count else {
                throw error(at: nil, "expected a value after '\(field.text) \(opToken.text)'")
            }
            let valueToken = tokens[index + 2]
            index += 3
            let value = valueToken.text
            var number: Double?
            if field.text == "levelno", let level = LogLevel.number(named: value) {
                number = Double(level)
            } else if let parsed = Double(value), parsed.isFinite {
                number = parsed
            }
            var pattern: CompiledPattern?
            switch op {
            case .regex:
                do {
                    pattern = try CompiledPattern.regex(value)
                } catch {
                    throw self.error(at: valueToken, "invalid regular expression '\(value)'")
                }
            case .glob, .globShort:
                guard let compiled = CompiledPattern.glob(value) else {
                    throw error(at: valueToken, "invalid glob pattern '\(value)'")
                }
                pattern = compiled
            default:
                break
            }
            return Comparison(field: field.text, op: op, value: value, number: number, pattern: pattern)
        }
    }
}
