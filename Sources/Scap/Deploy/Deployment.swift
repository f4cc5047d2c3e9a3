import Foundation
import OpsSupport

/// `scap deploy` on the deploy host: groups, lock, tag, `DEPLOY_HEAD`, deploy log, then the groups.
///
/// ```swift
/// let config = try ScapConfigLoader(root: root).load()
/// let runner = TargetStageRunner(configuration: cumin)
/// let outcome = try await Deployment(request: DeployRequest(root: root, message: "v2"), config: config,
///                                    executor: runner).run()
/// exit(outcome.exitCode)
/// ```
public struct Deployment: Sendable {
    /// What was asked.
    public var request: DeployRequest
    /// The effective configuration.
    public var config: ScapConfig
    /// Runs stages on targets.
    public var executor: any DeployStageExecutor
    /// Asks whether to continue and whether to roll back.
    public var prompter: any DeployPrompter
    /// Prints console lines.
    public var console: @Sendable (String) -> Void
    /// Adjusts each host's plan (tests give each host its own service port).
    public var customizePlan: @Sendable (inout TargetStagePlan, _ host: String) -> Void
    /// Follows each stage's targets; give the same object to the runner as its observer.
    public var progress: DeployProgress?
    /// Ctrl-C: stops the stage in flight and fails the deploy (then the rollback is offered).
    public var interruption: DeployInterruption?
    /// Sends the Started/Finished announcements to IRC/SAL (`tcpircbot_host`).
    public var announcer: ScapAnnouncer

    /// Creates a deployment.
    public init(
        request: DeployRequest, config: ScapConfig, executor: any DeployStageExecutor,
        prompter: any DeployPrompter = DefaultAnswersPrompter(),
        console: @escaping @Sendable (String) -> Void = { print($0) },
        progress: DeployProgress? = nil, interruption: DeployInterruption? = nil,
        customizePlan: @escaping @Sendable (inout TargetStagePlan, _ host: String) -> Void = { _, _ in }
    ) {
        self.progress = progress
        self.interruption = interruption
        self.request = request
        self.config = config
        self.executor = executor
        self.prompter = prompter
        self.console = console
        self.customizePlan = customizePlan
        self.announcer = ScapAnnouncer(config: config, user: request.user)
    }

    /// The groups after `-l/--limit-hosts`, without those left empty.
    /// - Throws: ``DeployError`` for bad target lists or limit, or when no target is left.
    public func groups() throws(DeployError) -> [DeployGroup] {
        let all: [DeployGroup]
        do throws(ScapConfigError) {
            all = try config.deployGroups(root: request.root, systemGroupDirectory: request.systemGroupDirectory)
        } catch {
            throw DeployError(.config(error), "\(error)")
        }
        let limit = try HostLimit(request.limitHosts)
        let groups = all.compactMap { group -> DeployGroup? in
            var limited = group
            limited.hosts = group.hosts.filter(limit.matches)
            return limited.hosts.isEmpty ? nil : limited
        }
        guard !groups.isEmpty else {
            throw DeployError("No targets selected, check the target lists and -l/--limit-hosts '\(request.limitHosts)'")
        }
        return groups
    }

    /// The stages to run: `--dry-run`, `--service-restart`, `-s`, or ``defaultStages``.
    public func stages() throws(DeployError) -> [DeployStage] {
        if request.dryRun { return try dryRunStages() }
        if request.serviceRestartOnly {
            guard !config.services.isEmpty else {
                throw DeployError(.usage, "--service-restart needs service_name in scap.cfg")
            }
            return [.handleService]
        }
        return request.stages ?? defaultStages
    }

    /// The shell command handling every service of `service_name`, or `nil` when none is set.
    public func serviceCommand() -> String? {
        let services = config.services
        guard !services.isEmpty else { return nil }
        return services.map {
            request.serviceCommandTemplate.replacingOccurrences(of: "{name}", with: ServiceName.shellWord($0.name))
                .replacingOccurrences(of: "{action}", with: $0.action.rawValue)
        }.joined(separator: " && ")
    }

    /// Runs the deploy: takes the lock, tags the revision, writes the log, deploys the groups, and closes the
    /// executor's connections.
    /// - Returns: how the deploy over the groups ended.
    /// - Throws: ``DeployError`` when the deploy cannot start (configuration, targets, lock, git).
    public func run() async throws(DeployError) -> DeployOutcome {
        let result: Result<DeployOutcome, DeployError>
        do {
            result = .success(try await deploy())
        } catch {
            result = .failure(error)
        }
        await executor.close()
        return try result.get()
    }

    private func deploy() async throws(DeployError) -> DeployOutcome {
        do throws(ScapConfigError) {
            try config.validateForDeploy()
        } catch {
            throw DeployError(.config(error), "\(error)")
        }
        guard let repo = config.gitRepo, let lockPath = config.lockFile else {
            throw DeployError("git_repo is not set in scap/scap.cfg")
        }
        if request.initOnly { return try await initialize(repo: repo, lockPath: lockPath) }
        let groups = try self.groups()
        let stages = try self.stages()
        let (configFiles, perTargetConfigFiles) = try prepareConfigFiles(stages: stages)
        let checks: [Check]
        do throws(ChecksError) {
            checks = config.performChecks
                ? try ChecksFile.load(root: request.root, environment: config.environment).checks : []
        } catch {
            throw DeployError(.checks(error), "\(error)")
        }
        let lock = try await acquireLock(path: lockPath)
        defer { lock.release() }

        let repository = DeployRepository(root: request.root)
        var rev = request.revision ?? config.gitRev
        if rev == nil, request.serviceRestartOnly || request.dryRun { rev = await repository.lastDeployedCommit() }
        let started = ContinuousClock.now
        let revision =
            request.dryRun
            ? try await repository.dryRunRevision(rev: rev ?? "HEAD", user: request.user)
            : try await repository.prepare(
                rev: rev ?? "HEAD", user: request.user, config: config, configFiles: configFiles)
        let logDirectory = DeployLogDirectory(root: request.root)
        let writer: DeployLogWriter
        do {
            try FileManager.default.createDirectory(atPath: logDirectory.path, withIntermediateDirectories: true)
            writer = try DeployLogWriter(path: (logDirectory.path as NSString).appendingPathComponent(revision.logFileName))
        } catch {
            throw DeployError("cannot open the deploy log in \(logDirectory.path): \(error)")
        }
        let log = DeployEventLog(writer: writer, console: console)
        let action = request.dryRun ? "dry-run" : request.serviceRestartOnly ? "restart" : "deploy"
        let what = "\(action) [\(repo)@\(revision.shortCommit)]" + (config.environment.map { " (\($0))" } ?? "")
        log.record(
            "Started \(what): \(request.message)", event: "started",
            extra: [
                "tag": .string(revision.tag), "commit": .string(revision.commit), "user": .string(revision.user),
                "stages": .array(stages.map { JSONValue.string($0.rawValue) }),
            ])
        if !request.dryRun { announcer.announce("Started \(what): \(request.message)") }

        let gitURL = repository.gitURL(config: config)
        let serviceCommand = self.serviceCommand()
        let base: TargetStagePlan
        do {
            base = try TargetStagePlan(
                repo: repo, deployDirectory: config.gitDeployDir, revision: revision.commit, gitURL: gitURL,
                cacheRevs: max(1, config.cacheRevs), force: request.force, serviceRestartCommand: serviceCommand,
                servicePort: config.servicePort, serviceTimeout: config.serviceTimeout, configFiles: configFiles)
        } catch {
            throw DeployError(.targetPlan(error), "cannot plan the deploy: \(error)")
        }
        let nrpeDir = config.nrpeDir
        let customize = customizePlan
        let deployer = GroupDeployer(
            groups: groups, stages: stages, executor: executor, prompter: prompter, log: log, progress: progress,
            interruption: interruption
        ) { host, group in
            var plan = base
            plan.checks = checks.filter { $0.group == nil || $0.group == group.name }
                .flatMap { $0.targetChecks(nrpeDir: nrpeDir) }
            if let perTargetConfigFiles {
                switch await perTargetConfigFiles.files(for: host, among: group.hosts) {
                case .success(let files): plan.configFiles = files
                case .failure(let error): plan.configFailure = "config_deploy: \(error)"
                }
            }
            customize(&plan, host)
            return plan
        }
        let outcome = try await deployer.run()
        let duration = (ContinuousClock.now - started).scapMinutesSeconds
        let finished =
            outcome.succeeded
            ? "Finished \(what): \(request.message) (duration: \(duration))"
            : "Failed \(what): \(outcome.failure ?? "failed")"
                + (outcome.rolledBack ? "; rolled back" : "") + " (duration: \(duration))"
        if !request.dryRun { announcer.announce(finished) }
        log.record(
            finished, level: outcome.succeeded ? .info : .error, event: "finished",
            extra: [
                "succeeded": .bool(outcome.succeeded), "rolled_back": .bool(outcome.rolledBack),
                "duration": .double((ContinuousClock.now - started).inSeconds),
            ])
        return outcome
    }

    /// `--init`: the tag, `DEPLOY_HEAD` and the files targets fetch, under the lock; no target is touched.
    private func initialize(repo: String, lockPath: String) async throws(DeployError) -> DeployOutcome {
        let lock = try await acquireLock(path: lockPath)
        defer { lock.release() }
        let repository = DeployRepository(root: request.root)
        let revision = try await repository.prepare(
            rev: request.revision ?? config.gitRev ?? "HEAD", user: request.user, config: config)
        console("Initialised [\(repo)@\(revision.shortCommit)]: tagged \(revision.tag), wrote .git/DEPLOY_HEAD")
        return DeployOutcome(succeeded: true, failure: nil, rolledBack: false, reports: [])
    }

    private func acquireLock(path: String) async throws(DeployError) -> DeployLock {
        let console = self.console
        do {
            return try await DeployLock.acquire(
                path: path, globalPath: request.globalLockPath, reason: request.message, timeout: request.lockTimeout,
                pollInterval: request.lockPollInterval, notify: console)
        } catch {
            // The description names the lock file, so an unopenable lock_file says which path.
            throw DeployError(.lock(error), error.description)
        }
    }
}
