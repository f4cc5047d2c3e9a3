/// Everything a target needs to run a stage for one revision of one repository.
///
/// ```swift
/// let plan = try TargetStagePlan(
///     repo: "mathoid", revision: sha, gitURL: "http://deploy1002.eqiad.wmnet/mathoid/.git",
///     serviceRestartCommand: "sudo -n /usr/sbin/service mathoid restart", servicePort: 10044)
/// let script = TargetScript.render(.fetch, plan: plan)
/// ```
public struct TargetStagePlan: Sendable, Hashable {
    /// Where the repository lives on the target.
    public var layout: TargetLayout
    /// The full commit id to deploy (40 or 64 hex digits); rollback ignores it and uses `.done`.
    public var revision: String
    /// Where the target fetches from: a `file://` path or an `http(s)://` URL of the deploy host's git server.
    public var gitURL: String
    /// Revision directories kept by finalize (`cache_revs`, at least 1).
    public var cacheRevs: Int
    /// Redo fetch and promote even when they would be no-ops (`--force`).
    public var force: Bool
    /// The shell command that restarts the service, if any (e.g. `systemctl restart foo`).
    public var serviceRestartCommand: String?
    /// The port polled on 127.0.0.1 after the restart (`service_port`), if any.
    public var servicePort: Int?
    /// Seconds the port has to open (`service_timeout`).
    public var serviceTimeout: Double
    /// Checks to run around the stages.
    public var checks: [TargetCheck]
    /// The rendered `config-files.yaml` files that `config_deploy` writes and `config_diff` compares.
    public var configFiles: [RenderedConfigFile]
    /// Why this target's config files could not be rendered (e.g. its `remote_vars` file is not YAML):
    /// `config_deploy` and `config_diff` fail with it.
    public var configFailure: String?

    /// The repository path below the deploy directory.
    public var repo: String { layout.repo }
    /// The deploy directory (`git_deploy_dir`).
    public var deployDirectory: String { layout.deployDirectory }

    /// Creates and validates a plan.
    /// - Throws: ``TargetPlanError`` for a repo that is empty, absolute or climbs with `..`, a revision that is
    ///   not a full commit id, an empty git URL, `cacheRevs` below 1, a port outside 1...65535, a negative timeout
    ///   or a config file path that ``RenderedConfigFile/normalizedPath(_:)`` does not keep as it is.
    public init(
        repo: String, deployDirectory: String = TargetLayout.defaultDeployDirectory, revision: String,
        gitURL: String, cacheRevs: Int = 5, force: Bool = false, serviceRestartCommand: String? = nil,
        servicePort: Int? = nil, serviceTimeout: Double = 120, checks: [TargetCheck] = [],
        configFiles: [RenderedConfigFile] = []
    ) throws(TargetPlanError) {
        let components = repo.split(separator: "/", omittingEmptySubsequences: false)
        if repo.isEmpty || repo.hasPrefix("/") || repo.hasSuffix("/")
            || components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
        {
            throw TargetPlanError(
                field: "repo", value: repo, reason: "expected a relative path such as 'mathoid' or 'services/foo'")
        }
        if !deployDirectory.hasPrefix("/") {
            throw TargetPlanError(field: "deployDirectory", value: deployDirectory, reason: "expected an absolute path")
        }
        let hex = Set("0123456789abcdef")
        if ![40, 64].contains(revision.count) || !revision.allSatisfy(hex.contains) {
            throw TargetPlanError(
                field: "revision", value: revision,
                reason: "expected a full commit id (40 or 64 lowercase hex digits), resolved on the deploy host")
        }
        if gitURL.isEmpty {
            throw TargetPlanError(field: "gitURL", value: gitURL, reason: "expected a file:// path or an http(s) URL")
        }
        if cacheRevs < 1 {
            throw TargetPlanError(field: "cacheRevs", value: String(cacheRevs), reason: "keep at least 1 revision")
        }
        if let servicePort, !(1...65535).contains(servicePort) {
            throw TargetPlanError(field: "servicePort", value: String(servicePort), reason: "expected 1...65535")
        }
        if !(serviceTimeout >= 0) {
            throw TargetPlanError(
                field: "serviceTimeout", value: String(serviceTimeout), reason: "expected a number of seconds >= 0")
        }
        for check in checks where !(check.timeout > 0) {
            throw TargetPlanError(
                field: "checks[\(check.name)].timeout", value: String(check.timeout), reason: "expected seconds > 0")
        }
        for file in configFiles where RenderedConfigFile.normalizedPath(file.path) != file.path {
            throw TargetPlanError(
                field: "configFiles", value: file.path, reason: "expected a normalized path without '..' or '.git/'")
        }
        self.layout = TargetLayout(repo: repo, deployDirectory: deployDirectory)
        self.revision = revision
        self.gitURL = gitURL
        self.cacheRevs = cacheRevs
        self.force = force
        self.serviceRestartCommand = serviceRestartCommand
        self.servicePort = servicePort
        self.serviceTimeout = serviceTimeout
        self.checks = checks
        self.configFiles = configFiles
    }

    /// The checks of `stage` that run at `timing`, in plan order.
    public func checks(_ timing: TargetCheck.Timing, _ stage: DeployStage) -> [TargetCheck] {
        checks.filter { $0.stage == stage && $0.timing == timing }
    }
}
