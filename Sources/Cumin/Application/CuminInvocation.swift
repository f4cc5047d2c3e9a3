/// One invocation of the `cumin` command: its flags and arguments, already parsed.
public struct CuminInvocation: Sendable {
    /// Output formats of `-o`.
    public enum OutputFormat: String, Sendable, CaseIterable {
        /// `host: line` for every line, hosts sorted.
        case txt
        /// `{host: output}`, indented by 4, keys sorted.
        case json
    }

    /// `-c/--config`.
    public var configPath = "/etc/cumin/config.yaml"
    /// `--global-timeout`, seconds.
    public var globalTimeout: Double?
    /// `-t/--timeout`, seconds per command and host.
    public var timeout: Double?
    /// `-m/--mode`; forced to sync for one command.
    public var mode: ExecutionOptions.Mode?
    /// `-p/--success-percentage`, 0-100.
    public var successPercentage = 100
    /// `-b/--batch-size`.
    public var batchSize: BatchSize?
    /// `-s/--batch-sleep`, seconds.
    public var batchSleep: Double?
    /// `-x/--ignore-exit-codes`.
    public var ignoreExitCodes = false
    /// `-o/--output`.
    public var output: OutputFormat?
    /// `-n/--no-colors`.
    public var noColors = false
    /// `--color auto|always|never`: `auto` colours only a terminal, and honours `NO_COLOR`.
    public var color: Colors.Choice = .auto
    /// `--force`.
    public var force = false
    /// `--backend`.
    public var backend: String?
    /// `--transport`.
    public var transport: String?
    /// `--dry-run` (implied when no command is given).
    public var dryRun = false
    /// `--no-progress`.
    public var noProgress = false
    /// `-d/--debug`.
    public var debug = false
    /// `--trace`.
    public var trace = false
    /// `--reuse-connections` / `--no-reuse-connections`; `nil` reuses them when there are several commands.
    public var reuseConnections: Bool?
    /// `--connection-reuse MODE`: how connections are reused; wins over ``reuseConnections``.
    public var connectionReuse: ConnectionReuse?
    /// `HOSTS_QUERY`.
    public var hostsQuery = ""
    /// `COMMAND ...`.
    public var commands: [String] = []
    /// The arguments as typed, for the audit log.
    public var commandLine: [String] = []

    /// Creates an invocation with cumin's defaults.
    public init() {}

    /// Checks the combinations cumin refuses and fills implied values (dry-run without commands, sync for one).
    /// - Throws: ``ExecutionError`` with cumin's message for a usage error (exit code 2).
    public mutating func validate() throws(ExecutionError) {
        if commands.isEmpty {
            dryRun = true
        } else if commands.count == 1 {
            mode = .sync
        } else {
            if mode == nil { throw ExecutionError("-m/--mode is required when there are multiple COMMANDS") }
            if output != nil { throw ExecutionError("-o/--output can be used only with one command") }
        }
        guard (0...100).contains(successPercentage) else {
            throw ExecutionError("-p/--success-percentage must be an integer in the range 0-100")
        }
        if let timeout, timeout <= 0 { throw ExecutionError("-t/--timeout must be a positive number of seconds") }
        if let globalTimeout, globalTimeout <= 0 {
            throw ExecutionError("--global-timeout must be a positive number of seconds")
        }
        if let batchSleep, batchSleep < 0 { throw ExecutionError("-s/--batch-sleep must not be negative") }
    }
}
