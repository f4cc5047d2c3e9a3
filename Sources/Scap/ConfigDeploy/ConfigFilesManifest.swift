import Foundation
import Yams

/// The files `config_deploy` renders: `scap/config-files.yaml`, or `scap/environments/<env>/config-files.yaml`
/// instead when it exists (the environment's file replaces the global one, as scap's env-specific files do).
///
/// Each key is a final path, absolute or relative to the revision directory; each value names a template:
/// ```yaml
/// /etc/citoid/config.yaml:
///   template: config.yaml.j2
///   output_format: yaml      # optional: the rendered text must be YAML
/// conf/local.yaml:
///   template: local.yaml.j2
/// ```
/// `remote_vars` names a YAML file read on each target: that target's templates are rendered with its variables
/// (``PerTargetConfigFiles``). `erb_syntax: true` is refused with an error that says what to do: templates are
/// rendered with Stencil.
public struct ConfigFilesManifest: Sendable, Equatable {
    /// The file the entries were read from.
    public var path: String
    /// The entries, in file order.
    public var entries: [ConfigFileEntry]

    /// The keys an entry may have.
    public static let allowedKeys: Set<String> = ["template", "remote_vars", "output_format", "erb_syntax"]

    /// Creates a manifest of `entries`.
    public init(path: String, entries: [ConfigFileEntry]) {
        self.path = path
        self.entries = entries
    }

    /// The path of `name` under `scap/`: `scap/environments/<env>/<name>` when the environment has it, else
    /// `scap/<name>`.
    public static func environmentSpecificPath(_ name: String, root: String, environment: String?) -> String {
        let scap = (root as NSString).appendingPathComponent("scap")
        if let environment {
            let specific = (scap as NSString).appendingPathComponent("environments/\(environment)/\(name)")
            if FileManager.default.fileExists(atPath: specific) { return specific }
        }
        return (scap as NSString).appendingPathComponent(name)
    }

    /// Reads the manifest of the deploy repository at `root`.
    /// - Throws: ``ConfigDeployError`` when the file is missing or unreadable, or for any problem of
    ///   ``init(parsing:path:)``.
    public static func load(root: String, environment: String? = nil) throws(ConfigDeployError) -> ConfigFilesManifest {
        let path = environmentSpecificPath("config-files.yaml", root: root, environment: environment)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigDeployError(
                path: path,
                message: "does not exist, but config_deploy is enabled: list the files to render there "
                    + "(e.g. '/etc/app/config.yaml: {template: config.yaml.j2}') or set config_deploy: False")
        }
        return try ConfigFilesManifest(parsing: try ConfigRenderer.readText(path), path: path)
    }

    /// Parses the YAML text of a `config-files.yaml`.
    /// - Throws: ``ConfigDeployError`` for invalid YAML, an entry without `template`, an unknown or unsupported
    ///   key, a relative `remote_vars`, a path that climbs with `..` or holds control characters, or the same path twice.
    public init(parsing text: String, path: String) throws(ConfigDeployError) {
        self.path = path
        entries = []
        guard let root = try ConfigRenderer.compose(text, path: path) else { return }
        guard let top = root.mapping else {
            throw Self.error(path, root, nil, "expected a mapping of final paths to {template: NAME}")
        }
        var seen: Set<String> = []
        for (keyNode, value) in top {
            let raw = keyNode.scalar?.string ?? ""
            guard let finalPath = Self.normalizedPath(raw) else {
                throw Self.error(
                    path, keyNode, raw,
                    "expected an absolute path or one relative to the revision directory, without '..', '.git' "
                        + "at its start or control characters")
            }
            guard seen.insert(finalPath).inserted else {
                throw Self.error(path, keyNode, raw, "the same final path is listed twice")
            }
            entries.append(try Self.entry(finalPath, raw: raw, keyNode: keyNode, value: value, path: path))
        }
    }

    private static func entry(_ finalPath: String, raw: String, keyNode: Node, value: Node, path: String)
        throws(ConfigDeployError) -> ConfigFileEntry
    {
        guard let fields = value.mapping else {
            throw error(path, value, raw, "expected a mapping such as {template: NAME}")
        }
        var template: String?
        var outputFormat: ConfigFileEntry.OutputFormat?
        var remoteVars: String?
        for (fieldNode, fieldValue) in fields {
            let field = fieldNode.scalar?.string ?? ""
            let location = "\(raw).\(field)"
            guard allowedKeys.contains(field) else {
                throw error(
                    path, fieldNode, location,
                    "unknown key; an entry accepts \(allowedKeys.sorted().joined(separator: ", "))")
            }
            guard let text = fieldValue.scalar?.string else {
                throw error(path, fieldValue, location, "expected a single value")
            }
            switch field {
            case "template":
                let components = text.split(separator: "/", omittingEmptySubsequences: false)
                guard !text.isEmpty, !text.hasPrefix("/"), !components.contains(where: { $0.isEmpty || $0 == ".." })
                else {
                    throw error(path, fieldValue, location, "expected a file name under scap/templates/, got '\(text)'")
                }
                template = text
            case "output_format":
                guard let format = ConfigFileEntry.OutputFormat(rawValue: text) else {
                    throw error(path, fieldValue, location, "expected 'yaml' (or no output_format), got '\(text)'")
                }
                outputFormat = format
            case "erb_syntax":
                switch text.lowercased() {
                case "false", "no", "off", "": break
                case "true", "yes", "on":
                    throw error(
                        path, fieldValue, location,
                        "ERB templates are not supported: templates are rendered with Stencil (Jinja-like "
                            + "'{{ var }}' and '{% if %}'); convert the template and remove erb_syntax")
                default:
                    throw error(path, fieldValue, location, "expected true or false, got '\(text)'")
                }
            default:  // remote_vars
                guard text.hasPrefix("/"), let normalized = normalizedPath(text) else {
                    throw error(
                        path, fieldValue, location,
                        "expected the absolute path of a YAML file on the targets (e.g. /etc/app/vars.yaml), got "
                            + "'\(text)'")
                }
                remoteVars = normalized
            }
        }
        guard let template else {
            throw error(path, keyNode, raw, "'template' is required: the name of a file in scap/templates/")
        }
        return ConfigFileEntry(
            path: finalPath, template: template, outputFormat: outputFormat, remoteVars: remoteVars)
    }

    /// `path` without empty and `.` components, or `nil` when it is not a path a config file may have (see
    /// ``RenderedConfigFile/normalizedPath(_:)``).
    public static func normalizedPath(_ path: String) -> String? { RenderedConfigFile.normalizedPath(path) }

    private static func error(_ path: String, _ node: Node, _ key: String?, _ message: String) -> ConfigDeployError {
        ConfigDeployError(path: path, line: node.mark?.line, column: node.mark?.column, key: key, message: message)
    }
}

extension ConfigFilesManifest {
    /// The distinct `remote_vars` files, in entry order.
    public var remoteVariableFiles: [String] {
        var seen: Set<String> = []
        return entries.compactMap(\.remoteVars).filter { seen.insert($0).inserted }
    }
}
