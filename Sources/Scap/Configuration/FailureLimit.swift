/// How many targets of a group may fail before the deploy of that group is aborted (`failure_limit`).
///
/// Parsed from `N` (a count) or `N%` (a percentage of the group's size). The deploy aborts when the number of
/// failed targets is **greater** than ``allowedFailures(groupSize:)``, so the default `0%` aborts on any failure.
public enum FailureLimit: Sendable, Hashable, CustomStringConvertible {
    /// At most this many failed targets.
    case count(Int)
    /// At most this percentage (0–100) of the group's targets, rounded down.
    case percent(Double)

    /// Parses `N` or `N%`; `nil` when the text is neither, or negative, or a percentage above 100.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let value = Double(trimmed.dropLast().trimmingCharacters(in: .whitespaces)),
                value.isFinite, value >= 0, value <= 100
            else { return nil }
            self = .percent(value)
        } else {
            guard let value = Int(trimmed), value >= 0 else { return nil }
            self = .count(value)
        }
    }

    /// The number of failed targets tolerated in a group of `groupSize` targets.
    public func allowedFailures(groupSize: Int) -> Int {
        switch self {
        case .count(let count): count
        case .percent(let percent): Int((Double(groupSize) * percent / 100).rounded(.down))
        }
    }

    /// `N` or `N%`.
    public var description: String {
        switch self {
        case .count(let count): String(count)
        case .percent(let percent):
            percent == percent.rounded() ? "\(Int(percent))%" : "\(percent)%"
        }
    }
}
