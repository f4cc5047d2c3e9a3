/// One entry of `scap/config-files.yaml`: a file that `config_deploy` renders from a template.
///
/// ```yaml
/// /etc/citoid/config.yaml:        # absolute: rendered under revs/<sha>/.git/config-files, symlinked at promote
///   template: config.yaml.j2
///   output_format: yaml
/// conf/local.yaml:                # relative: rendered inside revs/<sha>
///   template: local.yaml.j2
///   remote_vars: /etc/citoid/host-vars.yaml   # read on each target; vars.yaml wins over it
/// ```
public struct ConfigFileEntry: Sendable, Hashable {
    /// How the rendered text is checked before it is shipped.
    public enum OutputFormat: String, Sendable, Hashable, CaseIterable {
        /// The rendered text must parse as YAML.
        case yaml
    }

    /// The final path, normalized: absolute (`/etc/web/app.yaml`) or relative to the revision directory.
    public var path: String
    /// The template name, looked up in `scap/environments/<env>/templates/` then `scap/templates/`.
    public var template: String
    /// `output_format`, when set.
    public var outputFormat: OutputFormat?
    /// `remote_vars`: an absolute path to a YAML mapping on each target, read before rendering the template for
    /// that target (a missing file adds no variable).
    public var remoteVars: String?

    /// Creates an entry; `path` is taken as given (``ConfigFilesManifest`` normalizes and validates it).
    public init(path: String, template: String, outputFormat: OutputFormat? = nil, remoteVars: String? = nil) {
        self.path = path
        self.template = template
        self.outputFormat = outputFormat
        self.remoteVars = remoteVars
    }

    /// Whether the final path is absolute (symlinked into place at promote).
    public var isAbsolute: Bool { path.hasPrefix("/") }
}
