import Foundation

/// The `-l/--limit-hosts` expression of `scap deploy` (research §1.4), applied to each group's hosts.
///
/// `all` or `*` keeps every host; `~REGEX` keeps hosts the regular expression finds a match in; otherwise a glob
/// where `*` matches `[\w.-]*` and `[01:10]` or `[a:f]` ranges expand. A leading `!` negates the pattern.
public struct HostLimit {
    private let regex: NSRegularExpression?
    private let negated: Bool
    /// The expression as given.
    public let expression: String

    /// Parses an expression.
    /// - Throws: ``DeployError`` (usage) for an invalid regular expression or range.
    public init(_ expression: String) throws(DeployError) {
        self.expression = expression
        var pattern = Substring(expression.trimmingCharacters(in: .whitespaces))
        negated = pattern.hasPrefix("!")
        if negated { pattern = pattern.dropFirst() }
        if pattern.isEmpty || pattern == "all" || pattern == "*" {
            regex = nil
            return
        }
        let source: String
        if pattern.hasPrefix("~") {
            source = String(pattern.dropFirst())
        } else {
            source = "^" + (try Self.globRegex(pattern)) + "$"
        }
        do {
            regex = try NSRegularExpression(pattern: source)
        } catch {
            throw DeployError(.usage, "invalid -l/--limit-hosts pattern '\(expression)': \(error.localizedDescription)")
        }
    }

    /// Whether `host` is kept.
    public func matches(_ host: String) -> Bool {
        guard let regex else { return !negated }
        let found = regex.firstMatch(in: host, range: NSRange(host.startIndex..., in: host)) != nil
        return found != negated
    }

    /// The glob as a regular expression body.
    private static func globRegex(_ glob: Substring) throws(DeployError) -> String {
        var result = ""
        var index = glob.startIndex
        while index < glob.endIndex {
            let character = glob[index]
            if character == "*" {
                result += "[\\w.-]*"
            } else if character == "[", let close = glob[index...].firstIndex(of: "]") {
                let body = glob[glob.index(after: index)..<close]
                let parts = body.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw DeployError(.usage, "invalid range '[\(body)]' in -l/--limit-hosts: expected [01:10] or [a:f]")
                }
                result += "(" + (try expand(String(parts[0]), String(parts[1]))).joined(separator: "|") + ")"
                index = close
            } else {
                result += NSRegularExpression.escapedPattern(for: String(character))
            }
            index = glob.index(after: index)
        }
        return result
    }

    private static func expand(_ low: String, _ high: String) throws(DeployError) -> [String] {
        if let start = Int(low), let end = Int(high), start <= end {
            return (start...end).map { value in
                let text = String(value)
                return String(repeating: "0", count: max(0, low.count - text.count)) + text
            }
        }
        if low.count == 1, high.count == 1, let start = low.unicodeScalars.first?.value,
            let end = high.unicodeScalars.first?.value, start <= end
        {
            return (start...end).compactMap { Unicode.Scalar($0).map { String(Character($0)) } }
        }
        throw DeployError(.usage, "invalid range '[\(low):\(high)]' in -l/--limit-hosts")
    }
}
