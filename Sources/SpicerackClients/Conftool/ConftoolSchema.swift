import Foundation
import Wmflib

/// The entities conftool knows: the built-in `node` and those of a schema file (conftool's `schema.yaml`).
///
/// ```yaml
/// discovery:
///   path: discovery
///   tags: [dnsdisc]
///   schema:
///     pooled: {type: bool, default: false}
///     references: {type: list, default: []}
///     ttl: {type: int, default: 300}
/// ```
public struct ConftoolSchema: Sendable {
    /// The type of a field, as conftool names it in a schema file.
    public enum FieldType: Sendable, Equatable, CustomStringConvertible {
        case bool, int, string, list, dict, any
        /// One of the given strings (`enum:yes|no|inactive`).
        case choice([String])

        /// Parses `bool`, `int`, `string`, `list`, `dict`, `any` or `enum:a|b|c`.
        init?(_ text: String) {
            switch text {
            case "bool": self = .bool
            case "int": self = .int
            case "string": self = .string
            case "list": self = .list
            case "dict": self = .dict
            case "any": self = .any
            default:
                guard text.hasPrefix("enum:") else { return nil }
                let choices = text.dropFirst(5).split(separator: "|").map(String.init)
                guard !choices.isEmpty else { return nil }
                self = .choice(choices)
            }
        }

        /// Whether `value` is of this type.
        public func accepts(_ value: ConftoolValue) -> Bool {
            switch (self, value) {
            case (.any, _), (.bool, .bool), (.int, .int), (.string, .string), (.list, .array), (.dict, .object):
                return true
            case (.choice(let choices), .string(let text)):
                return choices.contains(text)
            default:
                return false
            }
        }

        public var description: String {
            switch self {
            case .bool: return "bool"
            case .int: return "int"
            case .string: return "string"
            case .list: return "list"
            case .dict: return "dict"
            case .any: return "any"
            case .choice(let choices): return "one of " + choices.joined(separator: "|")
            }
        }
    }

    /// One field of an entity: its type and the value new objects get.
    public struct Field: Sendable, Equatable {
        public var type: FieldType
        public var defaultValue: ConftoolValue
    }

    /// An object type: where its objects live and what they hold.
    public struct Entity: Sendable, Equatable {
        /// The name (`node`, `discovery`, ...).
        public var name: String
        /// The path under `<namespace>/<api_version>/` (`pools` for nodes).
        public var path: String
        /// The tags, in key order: the object of tags `[a, b]` is at `<path>/<a>/<b>/<name>`.
        public var tags: [String]
        /// The fields; empty for free-form entities.
        public var fields: [String: Field]
        /// Whether any field may be set (`free_form` or `json_schema` entities).
        public var freeForm: Bool
    }

    /// The entities by name.
    public private(set) var entities: [String: Entity]

    /// The built-in `node` entity under `poolsPath`: tags dc, cluster, service; `pooled` (yes|no|inactive,
    /// default inactive) and `weight` (default 0).
    public static func node(poolsPath: String = "pools") -> Entity {
        Entity(
            name: "node", path: poolsPath, tags: ["dc", "cluster", "service"],
            fields: [
                "pooled": Field(type: .choice(["yes", "no", "inactive"]), defaultValue: "inactive"),
                "weight": Field(type: .int, defaultValue: 0),
            ],
            freeForm: false)
    }

    /// Only the built-in `node` entity.
    public init(poolsPath: String = "pools") {
        entities = ["node": Self.node(poolsPath: poolsPath)]
    }

    /// The built-in entity and those of `path`; a missing file gives only the built-in one, as in conftool.
    /// - Throws: ``ConftoolError`` naming the file and the entity when it cannot be read or an entity is invalid.
    public static func load(_ path: String, poolsPath: String = "pools") throws(ConftoolError) -> ConftoolSchema {
        var schema = ConftoolSchema(poolsPath: poolsPath)
        guard FileManager.default.fileExists(atPath: path) else { return schema }
        let raw: [String: YAMLValue]
        do {
            raw = try loadYAMLConfig(path)
        } catch {
            throw ConftoolError("Unable to load the conftool schema: \(error.message)", location: path)
        }
        for (name, definition) in raw {
            schema.entities[name] = try entity(name, definition, file: path)
        }
        return schema
    }

    /// The entity named `name`.
    /// - Throws: ``ConftoolError`` listing the known entities.
    public func entity(_ name: String) throws(ConftoolError) -> Entity {
        guard let entity = entities[name] else {
            throw ConftoolError(
                "Unknown conftool entity '\(name)'", hint: "known: \(entities.keys.sorted().joined(separator: ", "))")
        }
        return entity
    }

    private static func entity(_ name: String, _ definition: YAMLValue, file: String) throws(ConftoolError)
        -> Entity
    {
        let location = "\(file): entity \(name)"
        guard let path = definition["path"]?.stringValue, isPathSegment(path, allowSlash: true) else {
            throw ConftoolError("The entity needs a relative 'path' of plain names", location: location)
        }
        guard let tagValues = definition["tags"]?.arrayValue else {
            throw ConftoolError("The entity needs a list of 'tags'", location: location)
        }
        var tags: [String] = []
        for tag in tagValues {
            guard let text = tag.stringValue, isPathSegment(text, allowSlash: false), text != "name" else {
                throw ConftoolError("Invalid tag \(tag): use a plain name other than 'name'", location: location)
            }
            tags.append(text)
        }
        let freeForm = definition["free_form"]?.boolValue == true || definition["json_schema"] != nil
        var fields: [String: Field] = [:]
        for (field, spec) in definition["schema"]?.dictionaryValue ?? [:] {
            let typeName = spec["type"]?.stringValue ?? "any"
            guard let type = FieldType(typeName) else {
                throw ConftoolError("Unknown type '\(typeName)' of field \(field)", location: location)
            }
            fields[field] = Field(type: type, defaultValue: spec["default"].map(ConftoolValue.init) ?? .null)
        }
        return Entity(name: name, path: path, tags: tags, fields: fields, freeForm: freeForm)
    }

    /// Letters, digits, `-`, `_`, `.` (and `/` between segments for a path): nothing that moves out of the tree.
    static func isPathSegment(_ text: String, allowSlash: Bool) -> Bool {
        let segments = allowSlash ? text.split(separator: "/", omittingEmptySubsequences: false) : [Substring(text)]
        return !text.isEmpty && segments.allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".."
                && segment.unicodeScalars.allSatisfy {
                    CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)
                }
        }
    }
}

extension ConftoolValue {
    /// The same data read from YAML.
    init(_ yaml: YAMLValue) {
        switch yaml {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .int(let value): self = .int(value)
        case .double(let value): self = .double(value)
        case .string(let value): self = .string(value)
        case .array(let values): self = .array(values.map(ConftoolValue.init))
        case .dictionary(let values): self = .object(values.mapValues(ConftoolValue.init))
        }
    }
}
