import Foundation
import Stencil
import Yams

/// Renders the `config_deploy` templates of a deploy repository on the deploy host, with Stencil.
///
/// Templates come from `scap/templates/<name>`, or `scap/environments/<env>/templates/<name>` when the environment
/// has it (`{% include %}` looks there too); variables from ``TemplateVariables``. An entry with `remote_vars` is
/// rendered once per target with that target's file underneath (``PerTargetConfigFiles``); the others are the same
/// for every target.
/// ```swift
/// let files = try ConfigRenderer(root: root, environment: "beta").render()
/// ```
public struct ConfigRenderer: Sendable {
    /// The top of the deploy repository (the directory holding `scap/`).
    public var root: String
    /// The environment (`-e`), whose templates, `vars.yaml` and `config-files.yaml` win.
    public var environment: String?

    /// The most base64 bytes of rendered files a stage script carries: the script is one command-line argument
    /// on the target, and Linux limits one argument to 128 KiB.
    public static let maxInlineBytes = 96 * 1024

    /// Creates a renderer for the deploy repository at `root`.
    public init(root: String, environment: String? = nil) {
        self.root = root
        self.environment = environment
    }

    /// Reads `config-files.yaml` and the variables, then renders every entry.
    /// - Throws: ``ConfigDeployError`` naming the file (and line) of the first problem.
    public func render() throws(ConfigDeployError) -> [RenderedConfigFile] {
        let manifest = try ConfigFilesManifest.load(root: root, environment: environment)
        let variables = try TemplateVariables.load(root: root, environment: environment)
        return try render(manifest, variables: variables)
    }

    /// Renders every entry of `manifest` with `variables`; an entry with `remote_vars` sees the variables of that
    /// file in `remoteVariables` (by path; none when absent) underneath `variables`, which win, as in scap.
    /// - Throws: ``ConfigDeployError`` for a missing template, a Stencil syntax or render error (with the template
    ///   file and line), an `output_format: yaml` result that is not YAML, or files too large to ship.
    public func render(
        _ manifest: ConfigFilesManifest, variables: TemplateVariables,
        remoteVariables: [String: TemplateVariables] = [:]
    ) throws(ConfigDeployError) -> [RenderedConfigFile] {
        let loader = Directories(paths: templateDirectories, scap: (root as NSString).appendingPathComponent("scap"))
        let stencil = Environment(loader: loader)
        let shared = variables.context
        var files: [RenderedConfigFile] = []
        for entry in manifest.entries {
            var context = shared
            if let remote = entry.remoteVars.flatMap({ remoteVariables[$0] }) {
                let merged = remote.values.merging(variables.values) { _, local in local }
                context = TemplateVariables(values: merged).context
            }
            guard let templatePath = loader.path(of: entry.template) else {
                if let outside = loader.outsidePath(of: entry.template) {
                    try ScapPath.requireContained(outside, in: loader.scap, what: "template '\(entry.template)'")
                }
                throw ConfigDeployError(
                    path: manifest.path, key: entry.path,
                    message:
                        "template '\(entry.template)' not found in \(templateDirectories.joined(separator: " or ")): "
                        + "add the file or fix the template name")
            }
            let content: String
            do {
                content = try stencil.renderTemplate(name: entry.template, context: context)
            } catch let error as TemplateSyntaxError {
                let name = error.templateName ?? entry.template
                let location = error.token?.sourceMap.location
                throw ConfigDeployError(
                    path: loader.path(of: name) ?? templatePath, line: location.map { Int($0.lineNumber) },
                    column: location.map { $0.lineOffset + 1 }, key: entry.path,
                    message: "\(error.reason): fix the template (Stencil syntax: {{ var }}, {% if %}, {% for %})")
            } catch {
                throw ConfigDeployError(path: templatePath, key: entry.path, message: "cannot render: \(error)")
            }
            if entry.outputFormat == .yaml {
                do {
                    _ = try YAMLSource.compose(content)
                } catch {
                    throw ConfigDeployError(
                        path: templatePath, key: entry.path,
                        message: "output_format is yaml but the rendered text is not "
                            + "(\(error.message), line \(error.line.map(String.init) ?? "?") of the output): fix the "
                            + "template or its variables")
                }
            }
            files.append(RenderedConfigFile(path: entry.path, template: entry.template, content: content))
        }
        let size = files.reduce(0) { $0 + $1.base64.utf8.count }
        if size > Self.maxInlineBytes {
            let largest = files.max { $0.content.utf8.count < $1.content.utf8.count }
            throw ConfigDeployError(
                path: manifest.path,
                message: "the rendered files take \(size) bytes in base64, more than the \(Self.maxInlineBytes) a "
                    + "stage script can carry (largest: \(largest?.path ?? "-")); ship large files in the repository")
        }
        return files
    }

    /// The template directories, most specific first.
    public var templateDirectories: [String] {
        let scap = (root as NSString).appendingPathComponent("scap")
        var directories: [String] = []
        if let environment {
            directories.append((scap as NSString).appendingPathComponent("environments/\(environment)/templates"))
        }
        directories.append((scap as NSString).appendingPathComponent("templates"))
        return directories
    }

    /// The UTF-8 text of the file at `path`.
    /// - Throws: ``ConfigDeployError`` when it cannot be read or is not UTF-8.
    static func readText(_ path: String) throws(ConfigDeployError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigDeployError(path: path, message: "cannot be read: check that it exists and is readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigDeployError(path: path, message: "is not UTF-8 text")
        }
        return text
    }

    /// The root node of the YAML text of the file at `path`, or `nil` when the file is blank.
    /// - Throws: ``ConfigDeployError`` naming the file, line and column of invalid YAML.
    static func compose(_ text: String, path: String) throws(ConfigDeployError) -> Node? {
        do {
            let root = try YAMLSource.compose(text)
            return YAMLSource.isBlank(root) ? nil : root
        } catch {
            throw ConfigDeployError(path: path, line: error.line, column: error.column, message: error.message)
        }
    }

    /// Loads templates by name from the first directory that has them (the environment's, then the global one).
    ///
    /// A template that resolves outside `scap/` (through a symbolic link) is not loaded: see ``ScapPath``.
    private struct Directories: Loader {
        var paths: [String]
        /// The repository's `scap/` directory, which every template must resolve into.
        var scap: String

        /// The first existing file named `name`, wherever it leads.
        private func candidate(of name: String) -> String? {
            let components = name.split(separator: "/", omittingEmptySubsequences: false)
            guard !name.hasPrefix("/"), !components.contains(where: { $0.isEmpty || $0 == ".." }) else { return nil }
            return paths.map { ($0 as NSString).appendingPathComponent(name) }.first { candidate in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory)
                    && !isDirectory.boolValue
            }
        }

        /// The template file `name`, when it exists and stays inside `scap/`.
        func path(of name: String) -> String? {
            candidate(of: name).flatMap { ScapPath.isContained($0, in: scap) ? $0 : nil }
        }

        /// The template file `name` when it exists but leads outside `scap/`.
        func outsidePath(of name: String) -> String? {
            candidate(of: name).flatMap { ScapPath.isContained($0, in: scap) ? nil : $0 }
        }

        func loadTemplate(name: String, environment: Environment) throws -> Template {
            guard let path = path(of: name) else { throw TemplateDoesNotExist(templateNames: [name], loader: self) }
            let text = try ConfigRenderer.readText(path)
            return environment.templateClass.init(templateString: text, environment: environment, name: name)
        }
    }
}
