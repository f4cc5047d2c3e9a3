/// "Did you mean" suggestions for a misspelt configuration key, shared by the configuration loaders.
///
/// ```swift
/// KeySuggestions.closeMatches(to: "cookbooks_base_dir", among: ["cookbooks_base_dirs", "logs_base_dir"])
/// // ["cookbooks_base_dirs"]
/// KeySuggestions.didYouMean("cache_rev", among: ["cache_revs"])   // " (did you mean 'cache_revs'?)"
/// ```
public enum KeySuggestions {
    /// The candidates that look like `key`: at most `limit`, closest first (then in the candidates' order).
    ///
    /// A candidate looks like the key when both start with the same four characters (the whole key when shorter),
    /// or when at most two characters are added, removed or replaced. Long keys are compared by prefix only, so
    /// the work stays bounded whatever the input.
    public static func closeMatches(to key: String, among candidates: some Sequence<String>, limit: Int = 3)
        -> [String]
    {
        let prefix = key.prefix(4)
        var scored: [(distance: Int, order: Int, name: String)] = []
        for (order, candidate) in candidates.enumerated() where candidate != key {
            let distance = editDistance(key, candidate, atMost: 64)
            if distance <= 2 || (!prefix.isEmpty && candidate.hasPrefix(prefix)) {
                scored.append((distance, order, candidate))
            }
        }
        scored.sort { ($0.distance, $0.order) < ($1.distance, $1.order) }
        return scored.prefix(max(0, limit)).map(\.name)
    }

    /// ` (did you mean 'a', 'b'?)` for the close matches of `key`, or an empty string when there are none.
    public static func didYouMean(_ key: String, among candidates: some Sequence<String>) -> String {
        let near = closeMatches(to: key, among: candidates)
        guard !near.isEmpty else { return "" }
        return " (did you mean \(near.map { "'\($0)'" }.joined(separator: ", "))?)"
    }

    /// The Levenshtein distance between `a` and `b`, or `atMost + 1` when it is larger (or either is longer than
    /// 64 characters).
    static func editDistance(_ a: String, _ b: String, atMost bound: Int) -> Int {
        let left = Array(a.unicodeScalars)
        let right = Array(b.unicodeScalars)
        guard left.count <= 64, right.count <= 64, abs(left.count - right.count) <= bound else { return bound + 1 }
        var previous = Array(0...right.count)
        for i in 1...max(1, left.count) where !left.isEmpty {
            var current = [i] + Array(repeating: 0, count: right.count)
            for j in stride(from: 1, through: right.count, by: 1) {
                let cost = left[i - 1] == right[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            previous = current
        }
        return min(previous[right.count], bound + 1)
    }
}
