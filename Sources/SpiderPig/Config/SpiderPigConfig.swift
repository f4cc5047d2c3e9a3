import Foundation
import Yams

/// SpiderPig's configuration, read from a YAML file (`spiderpig.yaml`). Every key is documented in
/// docs/spiderpig.md; an unknown key is an error naming the file, line and key.
public struct SpiderPigConfig: Sendable, Equatable {
    /// Address to listen on (loopback by default).
    public var listenHost = "127.0.0.1"
    /// Port to listen on.
    public var listenPort = 8000
    /// The URL browsers reach SpiderPig at (for the OIDC redirect), e.g. `https://deploy.example.org`.
    public var publicURL = "http://127.0.0.1:8000"
    /// The SQLite database file.
    public var databasePath = "/var/lib/spiderpig/spiderpig.db"
    /// The JSON audit log (one object per line).
    public var auditLogPath = "/var/log/spiderpig/audit.log"
    /// Cookies without `Secure` (plain-HTTP loopback only).
    public var insecureCookies = false
    /// Session lifetime in seconds.
    public var sessionLifetime: Double = 12 * 3600
    /// OpenID Connect settings.
    public var oidc = OIDCSettings()
    /// IdP groups granting each role.
    public var roles = RoleGroups()
    /// How `scap` is run.
    public var scap = ScapSettings()
    /// Repositories that may be deployed: name to deploy directory.
    public var repositories: [String: String] = [:]
    /// Seconds the owner has to say "ready" at the head of the queue.
    public var readyTimeout: Double = 600
    /// Days per-job logs are kept (0 keeps them forever).
    public var logRetentionDays = 90
    /// Issuer name in the otpauth URL.
    public var otpIssuer = "SpiderPig"
    /// Bytes of log messages a live viewer may have waiting before it is made to resume from storage.
    public var liveQueueBytes = 8 << 20
    /// The Prometheus server for the monitoring panel (empty: no panel).
    public var prometheusURL = ""
    /// The panel's queries: name to PromQL (e.g. `error rate` and `p99 latency`).
    public var prometheusQueries: [String: String] = [:]

    /// The defaults.
    public init() {}

    /// OpenID Connect client settings.
    public struct OIDCSettings: Sendable, Equatable {
        /// The issuer URL (discovery at `<issuer>/.well-known/openid-configuration`).
        public var issuer = ""
        /// The client id registered at the IdP.
        public var clientID = "spiderpig"
        /// The client secret (or read from `client_secret_file`).
        public var clientSecret = ""
        /// The ID token claim holding the user name.
        public var usernameClaim = "preferred_username"
        /// The ID token claim holding the groups.
        public var groupsClaim = "groups"
        /// Scopes asked for.
        public var scopes = ["openid", "profile", "groups"]
        /// Creates the defaults.
        public init() {}
    }

    /// Group names mapped to roles.
    public struct RoleGroups: Sendable, Equatable {
        /// Groups that may watch.
        public var viewer: [String] = []
        /// Groups that may request deployments.
        public var deployer: [String] = []
        /// Groups that administer SpiderPig.
        public var admin: [String] = []
        /// Creates empty mappings.
        public init() {}
    }

    /// How scap is started.
    public struct ScapSettings: Sendable, Equatable {
        /// The scap executable.
        public var binary = "/usr/bin/scap"
        /// Arguments inserted after the subcommand for every job (e.g. `--ssh-config` on a test bed).
        public var extraArguments: [String] = []
        /// Extra environment variables for the child.
        public var environment: [String: String] = [:]
        /// Creates the defaults.
        public init() {}
    }
}

/// A configuration file that cannot be used.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// The file.
    public var file: String
    /// The 1-based line, when known.
    public var line: Int?
    /// What is wrong.
    public var message: String
    /// `file:line: message`.
    public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}

extension SpiderPigConfig {
    /// Reads and validates `path`.
    public static func load(path: String) throws(ConfigError) -> SpiderPigConfig {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError(file: path, line: nil, message: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// Parses YAML `text` (named `file` in errors).
    public static func parse(_ text: String, file: String) throws(ConfigError) -> SpiderPigConfig {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw ConfigError(file: file, line: nil, message: "not YAML: \(error)")
        }
        var config = SpiderPigConfig()
        guard let root else { return config }
        let reader = ConfigReader(file: file)
        let top = try reader.mapping(root, "top level")
        for (key, value) in top {
            switch key.string {
            case "listen_host": config.listenHost = try reader.string(value, key.string)
            case "listen_port": config.listenPort = try reader.int(value, key.string, range: 0...65535)
            case "public_url": config.publicURL = try reader.string(value, key.string)
            case "database": config.databasePath = try reader.string(value, key.string)
            case "audit_log": config.auditLogPath = try reader.string(value, key.string)
            case "insecure_cookies": config.insecureCookies = try reader.bool(value, key.string)
            case "session_lifetime": config.sessionLifetime = Double(try reader.int(value, key.string, range: 60...(90 * 86400)))
            case "ready_timeout": config.readyTimeout = Double(try reader.int(value, key.string, range: 1...86400))
            case "log_retention_days": config.logRetentionDays = try reader.int(value, key.string, range: 0...36500)
            case "otp_issuer": config.otpIssuer = try reader.string(value, key.string)
            case "live_queue_bytes": config.liveQueueBytes = try reader.int(value, key.string, range: 4096...(1 << 30))
            case "prometheus_url": config.prometheusURL = try reader.string(value, key.string)
            case "prometheus_queries":
                for (name, query) in try reader.mapping(value, "prometheus_queries") {
                    config.prometheusQueries[name.string] = try reader.string(query, "prometheus_queries.\(name.string)")
                }
            case "repositories":
                for (name, path) in try reader.mapping(value, "repositories") {
                    config.repositories[name.string] = try reader.string(path, "repositories.\(name.string)")
                }
            case "oidc":
                for (sub, subValue) in try reader.mapping(value, "oidc") {
                    let name = "oidc.\(sub.string)"
                    switch sub.string {
                    case "issuer": config.oidc.issuer = try reader.string(subValue, name)
                    case "client_id": config.oidc.clientID = try reader.string(subValue, name)
                    case "client_secret": config.oidc.clientSecret = try reader.string(subValue, name)
                    case "client_secret_file":
                        let secretPath = try reader.string(subValue, name)
                        do {
                            config.oidc.clientSecret = try String(contentsOfFile: secretPath, encoding: .utf8)
                                .trimmingCharacters(in: .whitespacesAndNewlines)
                        } catch {
                            throw reader.error(subValue, "\(name): cannot read \(secretPath)")
                        }
                    case "username_claim": config.oidc.usernameClaim = try reader.string(subValue, name)
                    case "groups_claim": config.oidc.groupsClaim = try reader.string(subValue, name)
                    case "scopes": config.oidc.scopes = try reader.strings(subValue, name)
                    default: throw reader.error(sub, "unknown key '\(name)'")
                    }
                }
            case "roles":
                for (sub, subValue) in try reader.mapping(value, "roles") {
                    let name = "roles.\(sub.string)"
                    switch sub.string {
                    case "viewer": config.roles.viewer = try reader.strings(subValue, name)
                    case "deployer": config.roles.deployer = try reader.strings(subValue, name)
                    case "admin": config.roles.admin = try reader.strings(subValue, name)
                    default: throw reader.error(sub, "unknown key '\(name)'")
                    }
                }
            case "scap":
                for (sub, subValue) in try reader.mapping(value, "scap") {
                    let name = "scap.\(sub.string)"
                    switch sub.string {
                    case "binary": config.scap.binary = try reader.string(subValue, name)
                    case "extra_arguments": config.scap.extraArguments = try reader.strings(subValue, name)
                    case "environment":
                        for (variable, setting) in try reader.mapping(subValue, name) {
                            config.scap.environment[variable.string] = try reader.string(setting, "\(name).\(variable.string)")
                        }
                    default: throw reader.error(sub, "unknown key '\(name)'")
                    }
                }
            default: throw reader.error(key.node, "unknown key '\(key.string)'")
            }
        }
        if config.oidc.issuer.isEmpty {
            throw ConfigError(file: file, line: nil, message: "oidc.issuer is required")
        }
        return config
    }
}

/// Reads typed values out of YAML nodes, with the node's line in every error.
struct ConfigReader {
    var file: String

    struct Key {
        var string: String
        var node: Node
    }

    func error(_ node: Node, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node.mark.map { $0.line }, message: message)
    }

    func error(_ key: Key, _ message: String) -> ConfigError { error(key.node, message) }

    func mapping(_ node: Node, _ name: String) throws(ConfigError) -> [(Key, Node)] {
        guard case .mapping(let mapping) = node else { throw error(node, "\(name): expected a mapping") }
        var pairs: [(Key, Node)] = []
        for (key, value) in mapping {
            guard let text = key.scalar?.string else { throw error(key, "\(name): keys must be strings") }
            pairs.append((Key(string: text, node: key), value))
        }
        return pairs
    }

    func string(_ node: Node, _ name: String) throws(ConfigError) -> String {
        guard let scalar = node.scalar else { throw error(node, "\(name): expected a string") }
        return scalar.string
    }

    func int(_ node: Node, _ name: String, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let value = node.scalar.flatMap({ Int($0.string) }), range.contains(value) else {
            throw error(node, "\(name): expected a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func bool(_ node: Node, _ name: String) throws(ConfigError) -> Bool {
        switch node.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(node, "\(name): expected true or false")
        }
    }

    func strings(_ node: Node, _ name: String) throws(ConfigError) -> [String] {
        guard case .sequence(let sequence) = node else { throw error(node, "\(name): expected a list") }
        var values: [String] = []
        for item in sequence { values.append(try string(item, name)) }
        return values
    }
}
