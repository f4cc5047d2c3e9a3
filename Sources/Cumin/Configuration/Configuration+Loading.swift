import Foundation
import Wmflib
import Yams

extension Configuration {
    /// Top-level keys that cumin accepts and this implementation reads.
    static let knownKeys: Set<String> = [
        "transport", "log_file", "default_backend", "environment", "clustershell", "knownhosts",
    ]
    /// Top-level keys that cumin accepts for features outside this implementation's scope.
    static let acceptedUnusedKeys: Set<String> = ["puppetdb", "openstack", "kerberos", "plugins"]

    /// Loads a cumin configuration file and the `aliases.yaml` beside it (when present).
    ///
    /// - Parameter path: the YAML file, e.g. `/etc/cumin/config.yaml`; `~` is expanded.
    /// - Throws: ``ConfigurationError`` naming the file, line, column and key of the first problem.
    public static func load(path: String) throws(ConfigurationError) -> Configuration {
        let expanded = expandTilde(path)
        let text = try readText(expanded)
        var config = try parse(yaml: text, path: expanded)
        let aliasesPath = (URL(fileURLWithPath: expanded).deletingLastPathComponent().path as NSString)
            .appendingPathComponent("aliases.yaml")
        if FileManager.default.fileExists(atPath: aliasesPath) {
            config.aliases = try parseAliases(yaml: try readText(aliasesPath), path: aliasesPath)
        }
        return config
    }

    /// Parses the text of a configuration file; `path` is used in error messages and for `path`.
    public static func parse(yaml text: String, path: String) throws(ConfigurationError) -> Configuration {
        var config = Configuration()
        config.path = path
        guard let root = try compose(text, path: path) else { return config }
        let top = try mapping(root, key: nil, path: path)
        for (keyNode, value) in top {
            guard let key = keyNode.string else {
                throw error(path, keyNode, nil, "configuration keys must be strings")
            }
            switch key {
            case "transport":
                config.transport = try scalarString(value, key: key, path: path)
            case "log_file":
                config.logFile = value.null != nil ? nil : expandTilde(try scalarString(value, key: key, path: path))
            case "default_backend":
                config.defaultBackend = value.null != nil ? nil : try scalarString(value, key: key, path: path)
                if let name = config.defaultBackend {
                    guard !name.isEmpty, name.unicodeScalars.allSatisfy(isBackendNameScalar) else {
                        throw error(
                            path, value, key,
                            "'\(name)' is not a backend name: use lower-case letters, digits and '_' (e.g. direct)")
                    }
                    config.defaultBackendOrigin = value.mark.map { "\(path):\($0.line):\($0.column)" } ?? path
                }
            case "environment":
                for (name, variable) in try mapping(value, key: key, path: path) {
                    let variableName = try scalarString(name, key: key, path: path)
                    config.environment[variableName] = try scalarString(
                        variable, key: "\(key).\(variableName)", path: path)
                }
            case "clustershell":
                config.clustershell = try parseClusterShell(value, path: path)
            case "knownhosts":
                for (name, item) in try mapping(value, key: key, path: path) {
                    let subkey = "\(key).\(name.string ?? "?")"
                    guard name.string == "files" else {
                        throw error(path, name, subkey, "unknown key; the knownhosts section takes only 'files'")
                    }
                    config.knownHostsFiles = try stringList(item, key: subkey, path: path).map(expandTilde)
                }
            default:
                if acceptedUnusedKeys.contains(key) {
                    config.ignoredSections.append(key)
                } else {
                    let known = (knownKeys.union(acceptedUnusedKeys)).sorted().joined(separator: ", ")
                    throw error(path, keyNode, key, "unknown key; expected one of: \(known)")
                }
            }
        }
        return config
    }

    /// Parses `aliases.yaml`: a mapping of alias names to global-grammar queries.
    public static func parseAliases(yaml text: String, path: String) throws(ConfigurationError) -> [String: String] {
        guard let root = try compose(text, path: path) else { return [:] }
        var aliases: [String: String] = [:]
        for (name, value) in try mapping(root, key: nil, path: path) {
            let aliasName = try scalarString(name, key: nil, path: path)
            aliases[aliasName] = try scalarString(value, key: aliasName, path: path)
        }
        return aliases
    }

    private static func parseClusterShell(_ node: Node, path: String) throws(ConfigurationError) -> ClusterShellOptions
    {
        var options = ClusterShellOptions()
        for (keyNode, value) in try mapping(node, key: "clustershell", path: path) {
            let name = keyNode.string ?? "?"
            let key = "clustershell.\(name)"
            switch name {
            case "ssh_options":
                options.sshOptions = try stringList(value, key: key, path: path)
            case "fanout":
                options.fanout = try positiveInt(value, key: key, path: path)
            case "ssh_user":
                options.sshUser = try scalarString(value, key: key, path: path)
            case "ssh_path":
                options.sshPath = expandTilde(try scalarString(value, key: key, path: path))
            case "connect_timeout":
                options.connectTimeout = try positiveInt(value, key: key, path: path)
            case "persist_connections":
                options.persistConnections = try positiveInt(value, key: key, path: path)
            case "command_timeout":
                guard let seconds = value.float ?? value.int.map(Double.init), seconds > 0 else {
                    throw error(path, value, key, "expected a positive number of seconds")
                }
                options.commandTimeout = seconds
            default:
                // ClusterShell accepts many task-info keys (debug, ...); they do not change our transport.
                continue
            }
        }
        return options
    }

    // MARK: - Node helpers

    private static func isBackendNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
    }

    private static func readText(_ path: String) throws(ConfigurationError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw ConfigurationError(path: path, message: "the file \(reason); pass an existing file with -c/--config")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(path: path, message: "the file is not valid UTF-8")
        }
        return text
    }

    private static func compose(_ text: String, path: String) throws(ConfigurationError) -> Node? {
        do {
            return try composeYAML(text, path: path)
        } catch let limitError as YAMLLimitError {
            throw ConfigurationError(
                path: path, line: limitError.line, column: limitError.column, message: limitError.message)
        } catch let yamlError as YamlError {
            if case .scanner(_, let problem, let mark, _) = yamlError {
                throw ConfigurationError(
                    path: path, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
            }
            if case .parser(_, let problem, let mark, _) = yamlError {
                throw ConfigurationError(
                    path: path, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
            }
            throw ConfigurationError(path: path, message: "invalid YAML: \(yamlError)")
        } catch {
            throw ConfigurationError(path: path, message: "invalid YAML: \(error)")
        }
    }

    private static func error(_ path: String, _ node: Node, _ key: String?, _ message: String) -> ConfigurationError {
        ConfigurationError(path: path, line: node.mark?.line, column: node.mark?.column, key: key, message: message)
    }

    private static func mapping(_ node: Node, key: String?, path: String) throws(ConfigurationError) -> [(Node, Node)] {
        guard let pairs = node.mapping else {
            throw error(path, node, key, "expected a mapping of keys to values")
        }
        return Array(pairs)
    }

    private static func scalarString(_ node: Node, key: String?, path: String) throws(ConfigurationError) -> String {
        guard let scalar = node.scalar else {
            throw error(path, node, key, "expected a single value, not a list or mapping")
        }
        return scalar.string
    }

    private static func positiveInt(_ node: Node, key: String, path: String) throws(ConfigurationError) -> Int {
        guard let value = node.int, value > 0 else {
            throw error(path, node, key, "expected a positive integer")
        }
        return value
    }

    private static func stringList(_ node: Node, key: String, path: String) throws(ConfigurationError) -> [String] {
        if let scalar = node.scalar { return [scalar.string] }
        guard let items = node.sequence else {
            throw error(path, node, key, "expected a list of strings")
        }
        var result: [String] = []
        for item in items {
            result.append(try scalarString(item, key: key, path: path))
        }
        return result
    }
}

/// Expands a leading `~` or `~/` to the home directory.
func expandTilde(_ path: String) -> String {
    guard path.hasPrefix("~") else { return path }
    return (path as NSString).expandingTildeInPath
}
