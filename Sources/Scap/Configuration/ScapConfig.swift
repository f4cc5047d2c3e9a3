import Foundation

/// The effective `scap.cfg` configuration of one deploy: defaults, then the files, then `-D` overrides.
///
/// Every key of ``ConfigKey/all`` has a typed accessor; per-group and per-stage keys are read with
/// ``dshTargets(forGroup:)``, ``groupSize(forGroup:)``, ``failureLimit(forGroup:)`` and ``batchSize(forStage:)``.
/// ```swift
/// let config = try ScapConfigLoader(root: "/srv/deployment/citoid/deploy").load()
/// print(config.gitRepo ?? "-", config.serverGroups, config.cacheRevs)
/// ```
public struct ScapConfig: Sendable, Equatable {
    /// The values set by a file or an override, by key.
    public internal(set) var values: [String: ConfigValue]
    /// Where each set value came from, by key.
    public internal(set) var origins: [String: ConfigOrigin]
    /// The files that were read, in order.
    public internal(set) var files: [String]
    /// The environment whose `scap/environments/<env>/scap.cfg` was read, if any.
    public internal(set) var environment: String?

    /// A configuration of `values` (already typed) without origins; defaults fill unset keys.
    public init(values: [String: ConfigValue] = [:], environment: String? = nil) {
        self.values = values
        self.origins = [:]
        self.files = []
        self.environment = environment
    }

    /// The value of `key`: the set value, else the key's default, else `nil`.
    public subscript(key: String) -> ConfigValue? {
        values[key] ?? ConfigKey.byName[key]?.defaultValue
    }

    private func string(_ key: String) -> String? {
        guard case .string(let value)? = self[key] else { return nil }
        return value
    }

    private func int(_ key: String) -> Int? {
        guard case .int(let value)? = self[key] else { return nil }
        return value
    }

    private func bool(_ key: String) -> Bool {
        guard case .bool(let value)? = self[key] else { return false }
        return value
    }

    private func list(_ key: String) -> [String]? {
        guard case .list(let value)? = self[key] else { return nil }
        return value
    }

    /// `git_repo`: the repository path on `git_server`; required by `scap deploy`.
    public var gitRepo: String? { string("git_repo") }
    /// `git_deploy_dir`: the root of deployed repositories on the targets.
    public var gitDeployDir: String { string("git_deploy_dir") ?? "/srv/deployment" }
    /// `git_server`: the deploy host's HTTP git server the targets fetch from.
    public var gitServer: String? { string("git_server") }
    /// `git_scheme`: the scheme of the targets' fetch URL.
    public var gitScheme: String { string("git_scheme") ?? "http" }
    /// `git_rev`: the revision deployed when `--rev` is not given (`nil` means `HEAD`).
    public var gitRev: String? { string("git_rev") }
    /// `git_submodules`: whether targets fetch and update submodules.
    public var gitSubmodules: Bool { bool("git_submodules") }
    /// `git_upstream_submodules`: whether submodules come from `.gitmodules` URLs rather than the deploy host.
    public var gitUpstreamSubmodules: Bool { bool("git_upstream_submodules") }
    /// `git_binary_manager`: `git-fat` and/or `git-lfs`; `git_fat: True` (deprecated) means `git-fat`.
    public var gitBinaryManagers: [String] {
        list("git_binary_manager") ?? (bool("git_fat") ? ["git-fat"] : [])
    }
    /// `ssh_user`: the login on the targets; defaults to the current user.
    public var sshUser: String { string("ssh_user") ?? Self.currentUserName }
    /// `ssh_transport`: cumin's transport for the targets, `clustershell` (OpenSSH, when unset) or `native`
    /// (in-process SSH); `--transport` wins.
    public var sshTransport: String? { string("ssh_transport") }
    /// `ssh_persist_connections`: when set, targets are reached through persistent OpenSSH master connections that
    /// stay up this many idle seconds, so the next deploy logs in no more; `--persist-connections` wins.
    public var sshPersistConnections: Int? { int("ssh_persist_connections") }
    /// `server_groups`: the groups deployed in order; `["default"]` when unset.
    public var serverGroups: [String] {
        let groups = list("server_groups") ?? []
        return groups.isEmpty ? ["default"] : groups
    }
    /// `group_size`: the default subgroup size (`nil`: the whole group at once).
    public var groupSize: Int? { int("group_size") }
    /// `failure_limit`: the default number or percentage of failed targets tolerated per group.
    public var failureLimit: FailureLimit {
        guard case .failureLimit(let limit)? = self["failure_limit"] else { return .percent(0) }
        return limit
    }
    /// `batch_size`: parallel SSH sessions per stage, capped at ``ConfigKey/maxBatchSize``.
    public var batchSize: Int { min(int("batch_size") ?? ConfigKey.maxBatchSize, ConfigKey.maxBatchSize) }
    /// `service_name`: the services restarted or reloaded after promote.
    public var services: [ServiceSpec] { (list("service_name") ?? []).compactMap(ServiceSpec.init(parsing:)) }
    /// `require_valid_service`: skip services that do not exist or are masked.
    public var requireValidService: Bool { bool("require_valid_service") }
    /// `secondary_host_signal_file`: the marker file of secondary hosts.
    public var secondaryHostSignalFile: String { string("secondary_host_signal_file") ?? "/etc/scap.secondary" }
    /// `service_port`: the port polled on the target after the service step.
    public var servicePort: Int? { int("service_port") }
    /// `service_timeout`: how long to wait for `service_port`, in seconds.
    public var serviceTimeout: Double {
        guard case .double(let value)? = self["service_timeout"] else { return 120 }
        return value
    }
    /// `config_deploy`: whether `scap/config-files.yaml` templates are rendered.
    public var configDeploy: Bool { bool("config_deploy") }
    /// `perform_checks`: whether `checks.yaml` checks run.
    public var performChecks: Bool { bool("perform_checks") }
    /// `nrpe_dir`: where targets read nrpe `command[name]=…` definitions.
    public var nrpeDir: String { string("nrpe_dir") ?? "/etc/nagios/nrpe.d" }
    /// `cache_revs`: revision directories kept on the targets.
    public var cacheRevs: Int { int("cache_revs") ?? 5 }
    /// `tags_to_keep`: `scap/sync/*` tags kept in the deploy repository.
    public var tagsToKeep: Int { int("tags_to_keep") ?? 20 }
    /// `lock_file`: the per-repository lock; defaults to `scap.<git_repo with / → _>.lock` in the
    /// ``ScapLockDirectory`` (`/var/lock/scap/` unless `SCAP_LOCK_DIR` names another directory).
    public var lockFile: String? {
        if let file = string("lock_file") { return file }
        return gitRepo.map { ScapLockDirectory().repositoryLockPath($0) }
    }
    /// `umask`: the file-mode mask applied at start.
    public var umask: Int { int("umask") ?? 0o002 }
    /// `log_json`: whether the console logs JSON.
    public var logJSON: Bool { bool("log_json") }
    /// `block_deployments`: refuses `scap deploy` (except `--init`).
    public var blockDeployments: Bool { bool("block_deployments") }
    /// `require_terminal_multiplexer`: refuses to run outside tmux or screen.
    public var requireTerminalMultiplexer: Bool { bool("require_terminal_multiplexer") }
    /// `tcpircbot_host`: the IRC relay for SAL announcements (`nil`: no announcements).
    public var tcpircbotHost: String? { string("tcpircbot_host") }
    /// `tcpircbot_port`: the IRC relay port.
    public var tcpircbotPort: Int { int("tcpircbot_port") ?? 9200 }
    /// `udp2log_host`: the udp2log relay for logstash (`nil`: none).
    public var udp2logHost: String? { string("udp2log_host") }
    /// `udp2log_port`: the udp2log relay port.
    public var udp2logPort: Int { int("udp2log_port") ?? 8420 }
    /// `use_syslog`: whether logs are also sent to syslog in ECS format.
    public var useSyslog: Bool { bool("use_syslog") }
    /// `statsd_host`: where timers are sent.
    public var statsdHost: String { string("statsd_host") ?? "127.0.0.1" }
    /// `statsd_port`: the statsd port.
    public var statsdPort: Int { int("statsd_port") ?? 2003 }

    /// The target-list file of `group`: `dsh_targets` for `default`, else `<group>_dsh_targets`.
    public func dshTargets(forGroup group: String) -> String? {
        group == "default" ? string("dsh_targets") : string("\(group)_dsh_targets")
    }

    /// `<group>_group_size`, else `group_size`.
    public func groupSize(forGroup group: String) -> Int? { int("\(group)_group_size") ?? groupSize }

    /// `<group>_failure_limit`, else `failure_limit`.
    public func failureLimit(forGroup group: String) -> FailureLimit {
        guard case .failureLimit(let limit)? = values["\(group)_failure_limit"] else { return failureLimit }
        return limit
    }

    /// `<stage>_batch_size`, else `batch_size`, capped at ``ConfigKey/maxBatchSize``.
    public func batchSize(forStage stage: DeployStage) -> Int {
        min(int("\(stage.rawValue)_batch_size") ?? batchSize, ConfigKey.maxBatchSize)
    }

    /// Checks what `scap deploy` needs: `git_repo` is set.
    /// - Throws: ``ScapConfigError`` naming the files read when `git_repo` is missing.
    public func validateForDeploy() throws(ScapConfigError) {
        guard gitRepo?.isEmpty == false else {
            throw ScapConfigError(
                path: files.last ?? "scap/scap.cfg", section: "global", key: "git_repo",
                message: "is required: set it to the repository path on git_server (e.g. 'citoid/deploy')")
        }
    }

    /// The login name of the user running this process.
    static var currentUserName: String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }
}
