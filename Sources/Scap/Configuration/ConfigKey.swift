/// A `scap.cfg` key scap knows: its name, the type its text is coerced to, and its default.
public struct ConfigKey: Sendable, Hashable {
    /// The type a key's text is coerced to, and what the error says is expected.
    public enum Kind: Sendable, Hashable {
        /// Any text.
        case string
        /// An integer ≥ 0.
        case nonNegativeInt
        /// An integer ≥ 1.
        case positiveInt
        /// A TCP/UDP port, 1–65535.
        case port
        /// A number of seconds > 0.
        case seconds
        /// `1/yes/true/on` or `0/no/false/off`, any case.
        case bool
        /// A comma-separated list of names.
        case list
        /// `N` or `N%` (see ``FailureLimit``).
        case failureLimit
        /// An octal file-mode mask such as `002` or `0o022`.
        case octal
        /// A comma-separated list of `svc[=restart|reload][:disable-secondary]` (see ``ServiceSpec``).
        case services
        /// A comma-separated list of `git-fat` and `git-lfs`.
        case binaryManagers
        /// A number ≥ 0 (a factor, a fraction).
        case number

        /// What a value of this kind looks like, for error messages.
        public var expectation: String {
            switch self {
            case .string: "a string"
            case .nonNegativeInt: "a non-negative integer"
            case .positiveInt: "a positive integer"
            case .port: "a port number between 1 and 65535"
            case .seconds: "a positive number of seconds"
            case .bool: "a boolean (1/yes/true/on or 0/no/false/off)"
            case .list: "a comma-separated list of names"
            case .failureLimit: "a number of hosts (e.g. 2) or a percentage of the group (e.g. 10%)"
            case .octal: "an octal mask such as 002 or 0o022"
            case .services: "a comma-separated list of svc[=restart|reload][:disable-secondary]"
            case .binaryManagers: "a comma-separated list of git-fat and git-lfs"
            case .number: "a number >= 0"
            }
        }
    }

    /// The key as written in `scap.cfg` (lower case).
    public var name: String
    /// How the key's text is coerced.
    public var kind: Kind
    /// The value when no file or override sets the key; `nil` for keys that are unset by default.
    public var defaultValue: ConfigValue?

    /// Creates a key description.
    public init(_ name: String, _ kind: Kind, default defaultValue: ConfigValue? = nil) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
    }
}

extension ConfigKey {
    /// Every fixed key `scap deploy` reads, with scap's defaults (`config.py`).
    public static let all: [ConfigKey] = [
        ConfigKey("git_repo", .string),
        ConfigKey("git_repo_user", .string),
        ConfigKey("git_deploy_dir", .string, default: .string("/srv/deployment")),
        ConfigKey("git_server", .string),
        ConfigKey("git_scheme", .string, default: .string("http")),
        ConfigKey("git_rev", .string),
        ConfigKey("git_submodules", .bool, default: .bool(false)),
        ConfigKey("git_upstream_submodules", .bool, default: .bool(false)),
        ConfigKey("git_binary_manager", .binaryManagers),
        ConfigKey("git_fat", .bool, default: .bool(false)),
        ConfigKey("ssh_user", .string),
        ConfigKey("ssh_transport", .string),
        ConfigKey("ssh_persist_connections", .positiveInt),
        ConfigKey("server_groups", .list),
        ConfigKey("dsh_targets", .string, default: .string("mediawiki-installation")),
        ConfigKey("group_size", .positiveInt),
        ConfigKey("failure_limit", .failureLimit, default: .failureLimit(.percent(0))),
        ConfigKey("batch_size", .positiveInt, default: .int(ConfigKey.maxBatchSize)),
        ConfigKey("service_name", .services),
        ConfigKey("require_valid_service", .bool, default: .bool(false)),
        ConfigKey("secondary_host_signal_file", .string, default: .string("/etc/scap.secondary")),
        ConfigKey("service_port", .port),
        ConfigKey("service_timeout", .seconds, default: .double(120)),
        ConfigKey("config_deploy", .bool, default: .bool(false)),
        ConfigKey("perform_checks", .bool, default: .bool(true)),
        ConfigKey("nrpe_dir", .string, default: .string("/etc/nagios/nrpe.d")),
        ConfigKey("cache_revs", .nonNegativeInt, default: .int(5)),
        ConfigKey("tags_to_keep", .nonNegativeInt, default: .int(20)),
        ConfigKey("lock_file", .string),
        ConfigKey("environment", .string),
        ConfigKey("umask", .octal, default: .int(0o002)),
        ConfigKey("log_json", .bool, default: .bool(false)),
        ConfigKey("block_deployments", .bool, default: .bool(false)),
        ConfigKey("require_terminal_multiplexer", .bool, default: .bool(false)),
        ConfigKey("tcpircbot_host", .string),
        ConfigKey("tcpircbot_port", .port, default: .int(9200)),
        ConfigKey("udp2log_host", .string),
        ConfigKey("udp2log_port", .port, default: .int(8420)),
        ConfigKey("use_syslog", .bool, default: .bool(false)),
        ConfigKey("statsd_host", .string, default: .string("127.0.0.1")),
        ConfigKey("statsd_port", .port, default: .int(2003)),
    ]

    /// The hard cap on parallel SSH sessions per stage, whatever `batch_size` says.
    public static let maxBatchSize = 80

    /// The fixed keys by name.
    public static let byName: [String: ConfigKey] = Dictionary(
        uniqueKeysWithValues: (all + backport).map { ($0.name, $0) })

    /// The description of `name`: a fixed key, or a per-group (`<group>_dsh_targets`, `<group>_group_size`,
    /// `<group>_failure_limit`) or per-stage (`<stage>_batch_size`) key; `nil` for an unknown key.
    public static func lookup(_ name: String) -> ConfigKey? {
        if let key = byName[name] { return key }
        let perGroup: [(suffix: String, kind: Kind)] = [
            ("_dsh_targets", .string), ("_group_size", .positiveInt), ("_failure_limit", .failureLimit),
        ]
        for (suffix, kind) in perGroup where name.hasSuffix(suffix) {
            let group = name.dropLast(suffix.count)
            if isGroupName(group) { return ConfigKey(name, kind) }
        }
        if name.hasSuffix("_batch_size"), DeployStage(rawValue: String(name.dropLast("_batch_size".count))) != nil {
            return ConfigKey(name, .positiveInt)
        }
        return nil
    }

    /// Whether `text` can name a server group: letters, digits, `_` and `-`, not empty.
    static func isGroupName(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }
}
