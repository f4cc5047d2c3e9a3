import Foundation

/// How many hosts may be in flight at once: a fixed number or a share of the targeted hosts.
public enum BatchSize: Sendable, Hashable, CustomStringConvertible {
    /// At most this many hosts (must be positive).
    case count(Int)
    /// At most this percentage (0-100) of the hosts, rounded as cumin rounds (`round(len * P / 100)`).
    case percentage(Int)

    /// Parses cumin's `-b` syntax: `10` or `50%`.
    /// - Throws: ``ExecutionError`` when the value is not a positive integer or a percentage in 0-100.
    public init(parsing text: String) throws(ExecutionError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let value = Int(trimmed.dropLast()), (0...100).contains(value) else {
                throw ExecutionError(
                    "\(text) is not a valid percentage, expected in range 0%-100% or positive integer.")
            }
            self = .percentage(value)
        } else {
            guard let value = Int(trimmed), value > 0 else {
                throw ExecutionError(
                    "\(text) is not a valid value, expected positive integer or percentage in range 0%-100%")
            }
            self = .count(value)
        }
    }

    /// The number of hosts for a run over `total` hosts, never more than `total`.
    /// - Throws: ``ExecutionError`` when a percentage selects no host.
    public func resolve(total: Int) throws(ExecutionError) -> Int {
        switch self {
        case .count(let value):
            return min(value, total)
        case .percentage(let percent):
            let value = Int((Double(total) * Double(percent) / 100).rounded(.toNearestOrEven))
            guard value > 0 else {
                throw ExecutionError(
                    "batch size \(percent)% of \(total) hosts selects no host; use a larger percentage")
            }
            return min(value, total)
        }
    }

    /// `10` or `50%`.
    public var description: String {
        switch self {
        case .count(let value): "\(value)"
        case .percentage(let value): "\(value)%"
        }
    }
}
