/// A typed scap configuration value, coerced from the text of an INI option or a `-D` override.
public enum ConfigValue: Sendable, Hashable, CustomStringConvertible {
    /// A string, kept as written.
    case string(String)
    /// An integer.
    case int(Int)
    /// A floating-point number (seconds, for timeouts).
    case double(Double)
    /// A boolean (`1/yes/true/on`, `0/no/false/off`).
    case bool(Bool)
    /// A comma-separated list, entries trimmed, empty entries dropped.
    case list([String])
    /// A failure limit: an absolute count or a percentage of the group.
    case failureLimit(FailureLimit)

    /// The value as scap would print it.
    public var description: String {
        switch self {
        case .string(let value): value
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .bool(let value): value ? "True" : "False"
        case .list(let values): values.joined(separator: ",")
        case .failureLimit(let limit): limit.description
        }
    }
}
