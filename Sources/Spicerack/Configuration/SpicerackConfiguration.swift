import Foundation
import Wmflib

/// The `cookbook` configuration file (Spicerack's `/etc/spicerack/config.yaml`), with Spicerack's keys.
///
/// ```yaml
/// cookbooks_base_dirs: [/srv/cookbooks]     # trees of .swift cookbooks, merged into one namespace
/// logs_base_dir: /var/log/spicerack          # <logs_base_dir>/<path>/<name>.log and -extended.log
/// tcpircbot_host: localhost                  # optional: IRC and SAL (off in dry-run)
/// tcpircbot_port: 9200
/// user_input_notifications_enabled: true     # optional: IRC ping when a prompt waits 180 s
/// cookbooks_cache_dir: ~/.cache/spicerack-swift   # optional: compiled trees
/// instance_params:
///   cumin_config: /etc/cumin/config.yaml
///   etcd_config: /etc/spicerack/etcd.yaml    # optional: locks on etcd v3; unset = local locks
///   locks_dir: /var/lib/spicerack/locks      # the local lock backend's directory
///   lock_tries: 27                           # waiting for a busy lock: tries, linear delay in seconds
///   lock_retry_delay: 5
///   spicerack_config_dir: /etc/spicerack
///   http_proxy: http://proxy:8080
/// ```
public struct SpicerackConfiguration: Sendable {
    /// The default configuration file.
    public static let defaultPath = "/etc/spicerack/config.yaml"
    /// The `instance_params` keys this implementation knows.
    public static let instanceParameterKeys: Set<String> = [
        "cumin_config", "cumin_installer_config", "conftool_config", "conftool_schema", "debmonitor_config",
        "etcd_config", "spicerack_config_dir", "http_proxy", "extender_class", "locks_dir", "lock_tries", "lock_retry_delay",
        "prometheus_url",
    ]

    /// The top-level keys this implementation reads. Other keys are kept in ``raw`` for site-specific extensions,
    /// unless they look like a misspelling of one of these (then loading fails with "did you mean").
    public static let knownKeys = [
        "cookbooks_base_dirs", "logs_base_dir", "cookbooks_cache_dir", "instance_params", "tcpircbot_host",
        "tcpircbot_port", "user_input_notifications_enabled", "external_modules_dir",
    ]

    /// The file this was loaded from.
    public var path: String
    /// The cookbook trees (each `<dir>/cookbooks` when that exists, else `<dir>`), `~` expanded.
    public var cookbooksBaseDirectories: [String]
    /// Where run logs go; required to run a cookbook, not to list.
    public var logsBaseDirectory: String?
    /// Where compiled trees are cached.
    public var cacheDirectory: String
    /// The tcpircbot endpoint for IRC and SAL, when both are set.
    public var ircHost: String?
    /// The tcpircbot port.
    public var ircPort: Int?
    /// Whether to ping the operator on IRC when a prompt waits too long.
    public var userInputNotificationsEnabled: Bool
    /// The cumin configuration file for `spicerack.remote()`.
    public var cuminConfigPath: String
    /// The etcd client configuration file; `nil` means the local lock backend.
    public var etcdConfigPath: String?
    /// The local lock backend's directory.
    public var locksDirectory: String
    /// Where per-module configuration lives (Spicerack's `spicerack_config_dir`).
    public var spicerackConfigDirectory: String
    /// The HTTP proxy for the HTTP clients.
    public var httpProxy: String?
    /// The Prometheus base URL template for `spicerack.prometheus()` (`{site}` is replaced).
    public var prometheusURL: String?
    /// Every top-level key as read, for site-specific extensions.
    public var raw: [String: YAMLValue]

    /// Loads and checks the configuration file.
    /// - Throws: ``ConfigurationError`` naming the file and the key.
    public static func load(
        _ path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> SpicerackConfiguration {
        let raw: [String: YAMLValue]
        do {
            raw = try loadYAMLConfig(path)
        } catch {
            throw ConfigurationError(path: path, key: nil, message: error.message, hint: "pass a valid file with -c/--config-file")
        }
        return try SpicerackConfiguration(path: path, raw: raw, environment: environment)
    }

    /// Checks an already parsed configuration.
    public init(path: String, raw: [String: YAMLValue], environment: [String: String] = [:]) throws(ConfigurationError) {
        self.path = path
        self.raw = raw
        let home = environment["HOME"] ?? NSHomeDirectory()
        func expand(_ value: String) -> String {
            if value == "~" { return home }
            if value.hasPrefix("~/") { return home + value.dropFirst() }
            return value
        }
        func string(_ key: String, in dictionary: [String: YAMLValue], prefix: String = "") throws(ConfigurationError) -> String? {
            guard let value = dictionary[key], !value.isNull else { return nil }
            guard let text = value.stringValue else {
                throw ConfigurationError(path: path, key: prefix + key, message: "expected a string, got \(value)")
            }
            return text
        }

        for key in raw.keys.sorted() where !Self.knownKeys.contains(key) {
            let suggestion = KeySuggestions.didYouMean(key, among: Self.knownKeys)
            if !suggestion.isEmpty {
                throw ConfigurationError(path: path, key: key, message: "is not a known key\(suggestion)")
            }
        }
        guard let bases = raw["cookbooks_base_dirs"] else {
            throw ConfigurationError(
                path: path, key: "cookbooks_base_dirs", message: "is missing",
                hint: "list the directories that hold cookbook trees")
        }
        guard let list = bases.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
            throw ConfigurationError(path: path, key: "cookbooks_base_dirs", message: "must be a list of directories")
        }
        if list.isEmpty {
            throw ConfigurationError(
                path: path, key: "cookbooks_base_dirs",
                message: "No cookbooks paths are specified in the `cookbooks_base_dirs` key of the configuration file.")
        }
        var directories: [String] = []
        for entry in list.compactMap(\.stringValue) {
            let base = expand(entry)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ConfigurationError(
                    path: path, key: "cookbooks_base_dirs", message: "directory \(base) does not exist",
                    hint: "check out the cookbook repository there or fix the path")
            }
            let nested = (base as NSString).appendingPathComponent("cookbooks")
            let hasNested = FileManager.default.fileExists(atPath: nested, isDirectory: &isDirectory) && isDirectory.boolValue
            directories.append(hasNested ? nested : base)
        }
        cookbooksBaseDirectories = directories
        logsBaseDirectory = try string("logs_base_dir", in: raw).map(expand)
        let cacheHome = environment["XDG_CACHE_HOME"].map { $0 + "/spicerack-swift" } ?? (home + "/.cache/spicerack-swift")
        cacheDirectory = try string("cookbooks_cache_dir", in: raw).map(expand) ?? cacheHome
        ircHost = try string("tcpircbot_host", in: raw)
        if let port = raw["tcpircbot_port"], !port.isNull {
            guard let number = port.intValue, (1...65535).contains(number) else {
                throw ConfigurationError(path: path, key: "tcpircbot_port", message: "must be a port number, got \(port)")
            }
            ircPort = number
        } else {
            ircPort = nil
        }
        if let flag = raw["user_input_notifications_enabled"], !flag.isNull {
            guard let value = flag.boolValue else {
                throw ConfigurationError(path: path, key: "user_input_notifications_enabled", message: "must be true or false")
            }
            userInputNotificationsEnabled = value
        } else {
            userInputNotificationsEnabled = false
        }

        var parameters: [String: YAMLValue] = [:]
        if let value = raw["instance_params"], !value.isNull {
            guard let dictionary = value.dictionaryValue else {
                throw ConfigurationError(path: path, key: "instance_params", message: "must be a mapping")
            }
            parameters = dictionary
        }
        for key in parameters.keys.sorted() where !Self.instanceParameterKeys.contains(key) {
            let suggestion = KeySuggestions.didYouMean(key, among: Self.instanceParameterKeys.sorted())
            throw ConfigurationError(
                path: path, key: "instance_params.\(key)", message: "is not a known parameter\(suggestion)",
                hint: "known: \(Self.instanceParameterKeys.sorted().joined(separator: ", "))")
        }
        let prefix = "instance_params."
        cuminConfigPath = try string("cumin_config", in: parameters, prefix: prefix).map(expand) ?? "/etc/cumin/config.yaml"
        let etcd = try string("etcd_config", in: parameters, prefix: prefix).map(expand)
        etcdConfigPath = (etcd?.isEmpty ?? true) ? nil : etcd
        locksDirectory = try string("locks_dir", in: parameters, prefix: prefix).map(expand) ?? "/var/lib/spicerack/locks"
        spicerackConfigDirectory =
            try string("spicerack_config_dir", in: parameters, prefix: prefix).map(expand) ?? "/etc/spicerack"
        httpProxy = try string("http_proxy", in: parameters, prefix: prefix)
        prometheusURL = try string("prometheus_url", in: parameters, prefix: prefix)
    }

    /// The logs directory, or an error saying the key is needed to run cookbooks.
    public func requireLogsBaseDirectory() throws(ConfigurationError) -> String {
        guard let logsBaseDirectory else {
            throw ConfigurationError(
                path: path, key: "logs_base_dir", message: "is missing; it is required to run cookbooks",
                hint: "set it to a writable directory, e.g. /var/log/spicerack")
        }
        return logsBaseDirectory
    }
}
