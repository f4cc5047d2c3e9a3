import Foundation
import Yams

/// The checks of a deploy repository: `scap/checks.yaml`, with same-named entries of
/// `scap/environments/<env>/checks.yaml` replacing them.
///
/// ```yaml
/// checks:
///   endpoints:
///     type: nrpe
///     stage: promote
///     command: check_endpoints_citoid
/// ```
public struct ChecksFile: Sendable, Equatable {
    /// The checks in file order (environment-only checks last).
    public var checks: [Check]

    /// Creates a set of checks.
    public init(checks: [Check] = []) { self.checks = checks }

    /// The keys a check may have.
    public static let allowedKeys: Set<String> = ["type", "stage", "after", "before", "group", "timeout", "command", "shell"]

    /// Reads `scap/checks.yaml` and the environment's, when they exist.
    /// - Throws: ``ChecksError`` naming the file, line and key of the first problem.
    public static func load(root: String, environment: String? = nil) throws(ChecksError) -> ChecksFile {
        let scap = (root as NSString).appendingPathComponent("scap")
        var paths = [(scap as NSString).appendingPathComponent("checks.yaml")]
        if let environment { paths.append((scap as NSString).appendingPathComponent("environments/\(environment)/checks.yaml")) }
        var result = ChecksFile()
        for path in paths where FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else { throw ChecksError(path: path, message: "cannot be read as UTF-8 text") }
            result.merge(try ChecksFile(parsing: text, path: path))
        }
        return result
    }

    /// Replaces checks of the same name with `other`'s and appends the new ones.
    public mutating func merge(_ other: ChecksFile) {
        for check in other.checks {
            if let index = checks.firstIndex(where: { $0.name == check.name }) {
                checks[index] = check
            } else {
                checks.append(check)
            }
        }
    }

    /// Parses the YAML text of a `checks.yaml`.
    /// - Throws: ``ChecksError`` for invalid YAML, an unknown key, an unknown stage or type, a bad timeout, or a
    ///   check without `command` or stage.
    public init(parsing text: String, path: String) throws(ChecksError) {
        let root: Node?
        do {
            root = try YAMLSource.compose(text)
        } catch {
            throw ChecksError(path: path, line: error.line, column: error.column, message: error.message)
        }
        checks = []
        guard let root, root.scalar == nil || root.scalar?.string.isEmpty == false else { return }
        guard let top = root.mapping else {
            throw Self.error(path, root, nil, nil, "expected a mapping with a 'checks' key")
        }
        for (keyNode, value) in top {
            let key = keyNode.scalar?.string ?? ""
            guard key == "checks" else {
                throw Self.error(path, keyNode, nil, key, "unknown top-level key; expected only 'checks'")
            }
            if value.scalar?.string.isEmpty == true || value.tag.rawValue == Tag.Name.null.rawValue { continue }
            guard let entries = value.mapping else {
                throw Self.error(path, value, nil, "checks", "expected a mapping of check names to definitions")
            }
            for (nameNode, definition) in entries {
                let name = nameNode.scalar?.string ?? ""
                if definition.tag.rawValue == Tag.Name.null.rawValue { continue }  // blank definitions are discarded (T149668)
                checks.append(try Self.check(named: name, nameNode: nameNode, definition: definition, path: path))
            }
        }
    }

    private static func check(named name: String, nameNode: Node, definition: Node, path: String) throws(ChecksError)
        -> Check
    {
        guard let fields = definition.mapping else {
            throw error(path, definition, name, nil, "expected a mapping of check keys (type, command, after, …)")
        }
        var kind = Check.Kind.command
        var after: DeployStage?
        var before: DeployStage?
        var stageAlias: DeployStage?
        var group: String?
        var timeout = Check.defaultTimeout
        var command: String?
        var commandNode: Node?
        var shell = false
        for (keyNode, value) in fields {
            let key = keyNode.scalar?.string ?? ""
            guard allowedKeys.contains(key) else {
                throw error(
                    path, keyNode, name, key,
                    "unknown key; a check accepts \(allowedKeys.sorted().joined(separator: ", "))")
            }
            guard let scalar = value.scalar else { throw error(path, value, name, key, "expected a single value") }
            let text = scalar.string
            switch key {
            case "type":
                guard let parsed = Check.Kind(rawValue: text) else {
                    throw error(path, value, name, key, "expected command, nrpe or script, got '\(text)'")
                }
                kind = parsed
            case "stage", "after", "before":
                guard let stage = DeployStage(name: text) else {
                    let stages = DeployStage.allCases.map(\.rawValue).joined(separator: ", ")
                    throw error(path, value, name, key, "unknown target stage '\(text)'; expected one of \(stages)")
                }
                if key == "stage" { stageAlias = stage } else if key == "after" { after = stage } else { before = stage }
            case "group":
                group = text
            case "timeout":
                guard let seconds = Double(text), seconds.isFinite, seconds > 0 else {
                    throw error(path, value, name, key, "expected a positive number of seconds, got '\(text)'")
                }
                timeout = seconds
            case "shell":
                switch text.lowercased() {
                case "true", "yes", "on": shell = true
                case "false", "no", "off": shell = false
                default: throw error(path, value, name, key, "expected true or false, got '\(text)'")
                }
            default:
                guard !text.isEmpty else { throw error(path, value, name, key, "expected a non-empty command") }
                command = text
                commandNode = value
            }
        }
        if let stageAlias {
            if let after, after != stageAlias {
                throw error(path, definition, name, "stage", "'stage' is the old name of 'after'; give only one")
            }
            after = stageAlias
        }
        guard let command else {
            throw error(path, nameNode, name, "command", "is required: the command, nrpe check or script to run")
        }
        if kind == .nrpe, !Check.isNRPEName(command) {
            throw error(
                path, commandNode ?? nameNode, name, "command",
                "'\(command)' is not an nrpe command name: use letters, digits, '_', '-' and '.' only")
        }
        guard after != nil || before != nil else {
            throw error(path, nameNode, name, "after", "a check needs 'after:' (or 'stage:') or 'before:' with a stage")
        }
        return Check(
            name: name, kind: kind, after: after, before: before, group: group, timeout: timeout, command: command,
            shell: shell)
    }

    private static func error(_ path: String, _ node: Node, _ check: String?, _ key: String?, _ message: String)
        -> ChecksError
    {
        ChecksError(path: path, line: node.mark?.line, column: node.mark?.column, check: check, key: key, message: message)
    }
}
