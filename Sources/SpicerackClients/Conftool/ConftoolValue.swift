import Foundation

/// A value of a conftool object field, as stored in etcd's JSON: `pooled: "yes"`, `weight: 10`, `pooled: true`,
/// `references: []`.
///
/// Literals make selections and changes read naturally: `["pooled": "no"]`, `["pooled": true]`, `["ttl": 300]`.
public enum ConftoolValue: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ConftoolValue])
    case object([String: ConftoolValue])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: ConftoolValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, ConftoolValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// Decodes any JSON value; integers stay integers, booleans stay booleans.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ConftoolValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ConftoolValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The boolean, when this is a boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The integer, when this is an integer.
    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The value as Python's `json.dumps` writes it (`{"pooled": "yes", "weight": 10}`), keys sorted; this is the
    /// text stored in etcd.
    public var json: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return value.isFinite ? String(value) : "null"
        case .string(let value): return Self.quoted(value)
        case .array(let values): return "[" + values.map(\.json).joined(separator: ", ") + "]"
        case .object(let values):
            return "{" + values.keys.sorted().map { "\(Self.quoted($0)): \(values[$0]?.json ?? "null")" }
                .joined(separator: ", ") + "}"
        }
    }

    /// Python's `str()` of the value, as conftool prints it in messages: `yes`, `10`, `True`.
    public var description: String {
        switch self {
        case .string(let value): return value
        case .bool(let value): return value ? "True" : "False"
        case .null: return "None"
        default: return json
        }
    }

    /// A JSON string literal with the escapes JSON requires (non-ASCII kept as is).
    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    result += String(format: "\\u%04x", scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
