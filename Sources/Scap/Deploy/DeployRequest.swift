import Foundation

/// What `scap deploy` was asked to do.
public struct DeployRequest: Sendable {
    /// The top of the deploy repository (the directory holding `scap/scap.cfg`).
    public var root: String
    /// `-r/--rev`: the revision to deploy (`nil`: `git_rev`, else `HEAD`).
    public var revision: String?
    /// `-s/--stages`: the stages to run (`nil`: fetch, config_deploy when enabled, and promote).
    public var stages: [DeployStage]?
    /// `-l/--limit-hosts`.
    public var limitHosts: String
    /// `-f/--force`: redo fetch and promote even when they would be no-ops.
    public var force: Bool
    /// `--service-restart`: only restart the services (and check their ports).
    public var serviceRestartOnly: Bool
    /// `-i/--init`: only tag the revision and write `DEPLOY_HEAD` (bootstraps a repository); no target is touched.
    public var initOnly = false
    /// `--dry-run`: only diff the rendered config files against the live ones (`config_diff`); no tag is made and
    /// nothing changes on the targets.
    public var dryRun: Bool
    /// The log message.
    public var message: String
    /// Who deploys.
    public var user: String
    /// The global lock file (`/var/lock/scap-global-lock`).
    public var globalLockPath: String
    /// How long to wait for busy locks.
    public var lockTimeout: Duration
    /// How often busy locks are tried again.
    public var lockPollInterval: Duration
    /// The last place target lists are looked for (`nil`: skip `/etc/dsh/group`).
    public var systemGroupDirectory: String?
    /// The shell command handling a service, `{name}` and `{action}` replaced (scap: `sudo -n /usr/sbin/service`).
    public var serviceCommandTemplate: String

    /// scap's service command.
    public static let defaultServiceCommandTemplate = "sudo -n /usr/sbin/service {name} {action}"

    /// Creates a request with scap's defaults (`user`: the current user).
    public init(
        root: String, revision: String? = nil, stages: [DeployStage]? = nil, limitHosts: String = "all",
        force: Bool = false, serviceRestartOnly: Bool = false, message: String = "",
        user: String? = nil, globalLockPath: String = DeployLock.defaultGlobalPath,
        lockTimeout: Duration = DeployLock.defaultTimeout, lockPollInterval: Duration = .milliseconds(500),
        systemGroupDirectory: String? = "/etc/dsh/group",
        serviceCommandTemplate: String = DeployRequest.defaultServiceCommandTemplate, dryRun: Bool = false
    ) {
        self.root = root
        self.revision = revision
        self.stages = stages
        self.limitHosts = limitHosts
        self.force = force
        self.serviceRestartOnly = serviceRestartOnly
        self.message = message
        self.user = user ?? ScapConfig.currentUserName
        self.globalLockPath = globalLockPath
        self.lockTimeout = lockTimeout
        self.lockPollInterval = lockPollInterval
        self.systemGroupDirectory = systemGroupDirectory
        self.serviceCommandTemplate = serviceCommandTemplate
        self.dryRun = dryRun
    }

    /// Parses `-s/--stages`: comma-separated stage names.
    /// - Throws: ``DeployError`` (usage) for an unknown stage or one this deploy cannot run.
    public static func parseStages(_ text: String) throws(DeployError) -> [DeployStage] {
        var stages: [DeployStage] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let stage = DeployStage(name: name) else {
                let known = DeployStage.deployOrder.map(\.rawValue).joined(separator: ", ")
                throw DeployError(.usage, "unknown stage '\(name)' in -s/--stages; expected some of \(known)")
            }
            guard stage != .configDiff else {
                throw DeployError(.usage, "stage '\(name)' cannot be given to -s/--stages; use --dry-run")
            }
            stages.append(stage)
        }
        guard !stages.isEmpty else { throw DeployError(.usage, "-s/--stages needs at least one stage") }
        return stages
    }
}
