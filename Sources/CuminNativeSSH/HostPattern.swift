/// OpenSSH's host pattern matching (`*`, `?`, `!negation`), case-insensitive, as in ssh_config `Host` lines and
/// known_hosts host fields.
enum HostPattern {
    /// Whether `name` matches the pattern list: some positive pattern matches and no negated one does.
    static func matches(_ name: String, patterns: some Sequence<Substring>) -> Bool {
        let lowered = Array(name.lowercased().utf8)
        var matched = false
        for pattern in patterns where !pattern.isEmpty {
            if pattern.hasPrefix("!") {
                if wildcard(Array(pattern.dropFirst().lowercased().utf8), lowered) { return false }
            } else if wildcard(Array(pattern.lowercased().utf8), lowered) {
                matched = true
            }
        }
        return matched
    }

    /// Glob match of `*` and `?` without recursion (the classic two-pointer backtracking; linear memory).
    static func wildcard(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var p = 0
        var t = 0
        var star = -1
        var mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                mark = t
                p += 1
            } else if star >= 0 {
                p = star + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
