/// Cumin's configuration: the keys of cumin's `config.yaml` plus the aliases of `aliases.yaml`.
///
/// Load it from a file with ``Configuration/load(path:)``, or build one in code for library use:
/// ```swift
/// var config = Configuration()
/// config.defaultBackend = "direct"
/// config.clustershell.sshOptions = ["-F", "/etc/cumin/ssh_config"]
/// ```
public struct Configuration: Sendable {
    /// The transport name (`transport`); only `clustershell` (OpenSSH client processes) talks to real hosts.
    public var transport: String = "clustershell"
    /// The audit log file (`log_file`), with `~` expanded; `nil` disables file logging.
    public var logFile: String?
    /// The backend used for queries without a `X{}` prefix (`default_backend`), e.g. `direct`.
    public var defaultBackend: String?
    /// Where ``defaultBackend`` was set (`path:line:column`), so an unusable name can be traced to its file.
    public var defaultBackendOrigin: String?
    /// Variables exported to the environment of every command process (`environment`).
    public var environment: [String: String] = [:]
    /// Transport options (`clustershell`).
    public var clustershell = ClusterShellOptions()
    /// known_hosts files read by the `K{}` backend (`knownhosts.files`).
    public var knownHostsFiles: [String] = []
    /// Aliases from `aliases.yaml` beside the configuration file: name to global-grammar query.
    public var aliases: [String: String] = [:]
    /// The file this configuration was loaded from, if any.
    public var path: String?
    /// Top-level sections that cumin accepts but this implementation does not use (e.g. `puppetdb`),
    /// kept so that callers can warn about them.
    public var ignoredSections: [String] = []

    /// Creates the default configuration (`transport: clustershell`, no default backend, fanout 64).
    public init() {}
}

/// Options of the OpenSSH transport, read from the `clustershell` section as cumin passes them to ClusterShell.
public struct ClusterShellOptions: Sendable {
    /// Extra `ssh` arguments (`ssh_options`); each list item may hold several words, as in cumin.
    public var sshOptions: [String] = []
    /// The maximum number of `ssh` processes in flight (`fanout`, ClusterShell's default 64).
    public var fanout: Int = 64
    /// The remote user (`ssh_user`), passed as `-l USER` when set.
    public var sshUser: String?
    /// The `ssh` executable (`ssh_path`); `ssh` on `PATH` when unset.
    public var sshPath: String?
    /// Seconds allowed for the connection (`connect_timeout`, ClusterShell's default 10).
    public var connectTimeout: Int = 10
    /// Per-command timeout in seconds (`command_timeout`), used when the CLI gives none.
    public var commandTimeout: Double?
    /// Seconds that persistent master connections stay up when idle (`persist_connections`); setting it turns
    /// persistent connections on for every run (see ``ConnectionReuse/persistent``).
    public var persistConnections: Int?

    /// Creates the default options.
    public init() {}
}
