import Cumin
import Foundation

/// A `deploy-log` filter: comparisons of record fields, combined.
///
/// The language is scap's: whitespace-separated triples `field op value` (shell quoting, so a value with spaces is
/// quoted), all of which must match. Operators: `=` and `==` (glob, fnmatch), `~` (regular-expression search),
/// `<`, `<=`, `>`, `>=` (numeric; strings compare as strings). A value of `levelno` may be a level name
/// (`WARNING`). A record without the field does not match.
///
/// As an extension, `and`, `or`, `not` and parentheses (as separate words) combine comparisons; precedence is
/// `not`, then `and` (also implied between adjacent terms), then `or`. A word is only a keyword where the next word
/// is not an operator, so fields named `and`, `or` or `not` still work.
/// ```swift
/// let filter = try DeployLogFilter(parsing: "levelno >= WARNING host == scap-target-*")
/// let shown = records.filter(filter.matches)
/// ```
public struct DeployLogFilter: Sendable, CustomStringConvertible {
    /// A comparison operator.
    public enum Operator: String, Sendable, CaseIterable {
        /// Glob match (`fnmatch`).
        case glob = "=="
        /// Glob match, the short spelling.
        case globShort = "="
        /// Regular-expression search.
        case regex = "~"
        /// Less than.
        case less = "<"
        /// Less than or equal.
        case lessOrEqual = "<="
        /// Greater than.
        case greater = ">"
        /// Greater than or equal.
        case greaterOrEqual = ">="
    }

    /// One `field op value` triple, with its pattern compiled.
    public struct Comparison: Sendable, CustomStringConvertible {
        /// The record field.
        public var field: String
        /// The operator.
        public var op: Operator
        /// The value as written.
        public var value: String
        /// The value as a number, for numeric comparisons (`levelno` level names included).
        public var number: Double?
        let pattern: CompiledPattern?

        /// `field op 'value'`.
        public var description: String { "\(field) \(op.rawValue) \(Self.quote(value))" }

        static func quote(_ text: String) -> String {
            text.isEmpty || text.contains(where: { $0.isWhitespace || "'\"\\".contains($0) })
                ? shellSingleQuoted(text) : text
        }
    }

    /// A combination of comparisons.
    public indirect enum Expression: Sendable, CustomStringConvertible {
        /// Matches every record (the empty expression).
        case all
        /// One comparison.
        case comparison(Comparison)
        /// Both match.
        case and(Expression, Expression)
        /// Either matches.
        case or(Expression, Expression)
        /// The inner expression does not match.
        case not(Expression)

        /// The expression fully parenthesized.
        public var description: String {
            switch self {
            case .all: "all"
            case .comparison(let comparison): comparison.description
            case .and(let left, let right): "(\(left) and \(right))"
            case .or(let left, let right): "(\(left) or \(right))"
            case .not(let inner): "(not \(inner))"
            }
        }

        /// Whether any comparison is on `field`.
        public func mentions(_ field: String) -> Bool {
            switch self {
            case .all: false
            case .comparison(let comparison): comparison.field == field
            case .and(let left, let right), .or(let left, let right): left.mentions(field) || right.mentions(field)
            case .not(let inner): inner.mentions(field)
            }
        }
    }

    /// The parsed expression.
    public var expression: Expression

    /// Wraps an expression.
    public init(expression: Expression) { self.expression = expression }

    /// The expression fully parenthesized.
    public var description: String { expression.description }

    /// The filter `deploy-log` applies: this one, and `levelno >= INFO` (`DEBUG` when `verbose`) unless the
    /// expression already has a `levelno` comparison.
    public func withDefaultLevel(verbose: Bool) -> DeployLogFilter {
        if expression.mentions("levelno") { return self }
        let level = (verbose ? LogLevel.debug : LogLevel.info).rawValue
        let minimum = Expression.comparison(
            Comparison(field: "levelno", op: .greaterOrEqual, value: String(level), number: Double(level), pattern: nil))
        if case .all = expression { return DeployLogFilter(expression: minimum) }
        return DeployLogFilter(expression: .and(expression, minimum))
    }

    /// Whether `record` passes the filter.
    public func matches(_ record: DeployLogRecord) -> Bool { Self.evaluate(expression, record) }

    private static func evaluate(_ expression: Expression, _ record: DeployLogRecord) -> Bool {
        switch expression {
        case .all: true
        case .comparison(let comparison): comparison.matches(record)
        case .and(let left, let right): evaluate(left, record) && evaluate(right, record)
        case .or(let left, let right): evaluate(left, record) || evaluate(right, record)
        case .not(let inner): !evaluate(inner, record)
        }
    }
}

extension DeployLogFilter.Comparison {
    /// Whether the record's field satisfies the comparison.
    public func matches(_ record: DeployLogRecord) -> Bool {
        guard let actual = record.value(ofField: field) else { return false }
        switch op {
        case .glob, .globShort:
            if let number, let actualNumber = actual.number, field == "levelno" || Double(value) != nil {
                return actualNumber == number
            }
            return pattern?.matchesWhole(actual.description) ?? false
        case .regex:
            return pattern?.searches(actual.description) ?? false
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            if let number {
                guard let actualNumber = actual.number else { return false }
                return compare(actualNumber, number)
            }
            guard case .string(let text) = actual else { return false }
            return compare(text, value)
        }
    }

    private func compare<T: Comparable>(_ left: T, _ right: T) -> Bool {
        switch op {
        case .less: left < right
        case .lessOrEqual: left <= right
        case .greater: left > right
        case .greaterOrEqual: left >= right
        default: false
        }
    }
}

/// A compiled regular expression; `NSRegularExpression` is immutable and safe to share for matching.
final class CompiledPattern: @unchecked Sendable {
    private let regex: NSRegularExpression

    init(regex: NSRegularExpression) { self.regex = regex }

    /// Compiles a regular expression (Python `re` syntax, as far as ICU shares it).
    static func regex(_ pattern: String) throws -> CompiledPattern {
        CompiledPattern(regex: try NSRegularExpression(pattern: pattern))
    }

    /// Compiles a shell glob as `fnmatch` reads it: `*`, `?`, `[seq]`, `[!seq]`; everything else literal.
    static func glob(_ pattern: String) -> CompiledPattern? {
        var regex = "^"
        var characters = Array(pattern)[...]
        while let character = characters.popFirst() {
            switch character {
            case "*": regex += ".*"
            case "?": regex += "."
            case "[":
                // As fnmatch: a leading `!` negates, and a `]` right after `[` or `[!` is part of the set.
                var end = characters.startIndex
                if end < characters.endIndex, characters[end] == "!" { end += 1 }
                if end < characters.endIndex, characters[end] == "]" { end += 1 }
                while end < characters.endIndex, characters[end] != "]" { end += 1 }
                guard end < characters.endIndex else {
                    regex += "\\["
                    continue
                }
                var set = String(characters[characters.startIndex..<end])
                characters = characters[(end + 1)...]
                if set.hasPrefix("!") { set = "^" + set.dropFirst() }
                regex += "[" + set.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "[", with: "\\[") + "]"
            default:
                regex += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        guard let compiled = try? NSRegularExpression(pattern: regex + "$", options: [.dotMatchesLineSeparators])
        else { return nil }
        return CompiledPattern(regex: compiled)
    }

    func searches(_ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    func matchesWhole(_ text: String) -> Bool { searches(text) }
}
