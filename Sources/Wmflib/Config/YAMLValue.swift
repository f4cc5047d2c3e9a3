/// A value parsed from YAML: the plain data a configuration file holds.
public enum YAMLValue: Sendable, Hashable {
    /// `null`, `~` or an empty value.
    case null
    /// `true` / `false` (and YAML 1.1 spellings Yams resolves as booleans).
    case bool(Bool)
    /// An integer.
    case int(Int)
    /// A floating-point number.
    case double(Double)
    /// A string.
    case string(String)
    /// A sequence.
    case array([YAMLValue])
    /// A mapping; non-string keys are stored by their text.
    case dictionary([String: YAMLValue])

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, when this is an integer.
    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The number, when this is an integer or a floating-point number.
    public var doubleValue: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        default: return nil
        }
    }

    /// The boolean, when this is a boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, when this is a sequence.
    public var arrayValue: [YAMLValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The entries, when this is a mapping.
    public var dictionaryValue: [String: YAMLValue]? {
        if case .dictionary(let value) = self { return value }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool { self == .null }

    /// The value under `key` when this is a mapping, else `nil`.
    public subscript(key: String) -> YAMLValue? {
        dictionaryValue?[key]
    }
}
