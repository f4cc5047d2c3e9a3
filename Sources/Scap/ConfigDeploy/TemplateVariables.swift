import Foundation
import Yams

/// The variables templates see: the top-level keys of `scap/vars.yaml`, replaced key by key by those of
/// `scap/environments/<env>/vars.yaml` (the environment wins, as in scap).
///
/// ```yaml
/// # scap/vars.yaml
/// port: 8080
/// backends: [a.example.org, b.example.org]
/// ```
/// A missing file contributes nothing; YAML types are kept (numbers, booleans, lists, mappings).
public struct TemplateVariables: Sendable, Equatable {
    /// The merged variables, by name.
    public var values: [String: JSONValue]
    /// The files read, in order.
    public var files: [String]

    /// Creates a set of variables.
    public init(values: [String: JSONValue] = [:], files: [String] = []) {
        self.values = values
        self.files = files
    }

    /// Reads `scap/vars.yaml` and the environment's `vars.yaml`, when they exist.
    /// - Throws: ``ConfigDeployError`` naming the file (and line) of invalid YAML or a top level that is not a
    ///   mapping.
    public static func load(root: String, environment: String? = nil) throws(ConfigDeployError) -> TemplateVariables {
        let scap = (root as NSString).appendingPathComponent("scap")
        var paths = [(scap as NSString).appendingPathComponent("vars.yaml")]
        if let environment {
            paths.append((scap as NSString).appendingPathComponent("environments/\(environment)/vars.yaml"))
        }
        var result = TemplateVariables()
        for path in paths where FileManager.default.fileExists(atPath: path) {
            try ScapPath.requireContained(path, in: try ScapPath.scapDirectory(root: root), what: "vars.yaml")
            let file = try TemplateVariables(parsing: try ConfigRenderer.readText(path), path: path)
            result.values.merge(file.values) { _, environment in environment }
            result.files.append(path)
        }
        return result
    }

    /// Parses the YAML text of a `vars.yaml`: a mapping of variable names to values (or an empty file).
    /// - Throws: ``ConfigDeployError`` for invalid YAML or a top level that is not a mapping.
    public init(parsing text: String, path: String) throws(ConfigDeployError) {
        files = [path]
        values = [:]
        guard let root = try ConfigRenderer.compose(text, path: path) else { return }
        guard let mapping = root.mapping else {
            throw ConfigDeployError(
                path: path, line: root.mark?.line, column: root.mark?.column,
                message: "expected a mapping of variable names to values (e.g. 'port: 8080')")
        }
        for (key, value) in mapping {
            values[key.scalar?.string ?? ""] = Self.value(of: value)
        }
    }

    /// A YAML node as a value: scalars keep their resolved type (int, float, bool, null, string).
    static func value(of node: Node) -> JSONValue {
        switch node {
        case .scalar:
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(node.string ?? "")
            case Tag.Name.int.rawValue: return node.int.map(JSONValue.int) ?? .string(node.string ?? "")
            case Tag.Name.float.rawValue: return node.float.map(JSONValue.double) ?? .string(node.string ?? "")
            default: return .string(node.string ?? "")
            }
        case .sequence(let sequence):
            return .array(sequence.map(value(of:)))
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping { object[key.string ?? ""] = Self.value(of: value) }
            return .object(object)
        case .alias:
            return .null
        }
    }

    /// The variables as a Stencil context: strings, numbers, booleans, arrays and dictionaries (`null` values
    /// are left out, so they render as empty and test as false).
    public var context: [String: Any] { Self.context(values) }

    private static func context(_ object: [String: JSONValue]) -> [String: Any] {
        object.compactMapValues(any(_:))
    }

    private static func any(_ value: JSONValue) -> Any? {
        switch value {
        case .null: nil
        case .bool(let value): value
        case .int(let value): value
        case .double(let value): value
        case .string(let value): value
        case .array(let values): values.compactMap(any(_:))
        case .object(let object): context(object)
        }
    }
}
