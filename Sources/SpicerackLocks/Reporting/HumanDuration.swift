/// Durations as people read them in lock messages: `45s`, `2m 5s`, `28m`, `1h 3m`, `2d 4h`.
enum HumanDuration {
    /// `seconds` (rounded down, negative as 0) in at most two units.
    static func format(_ seconds: Double) -> String {
        let total = seconds.isFinite ? max(Int(seconds), 0) : 0
        let units = [(86400, "d"), (3600, "h"), (60, "m"), (1, "s")]
        guard let first = units.firstIndex(where: { total >= $0.0 }) else { return "0s" }
        let (size, name) = units[first]
        var text = "\(total / size)\(name)"
        if first + 1 < units.count {
            let (smallSize, smallName) = units[first + 1]
            let rest = (total % size) / smallSize
            if rest > 0 { text += " \(rest)\(smallName)" }
        }
        return text
    }
}
