import Foundation

/// What `scap backport` was asked to do, resolved (paths, user, lock settings).
public struct BackportRequest: Sendable {
    /// The deploy repository (the directory holding `scap/scap.cfg`).
    public var root: String
    /// The changes named on the command line.
    public var changes: [String]
    /// `--list`: show the open changes and exit.
    public var list = false
    /// `--yes`: do not ask "Backport the changes?".
    public var yes = false
    /// `--stop-before-sync`: merge, then stop.
    public var stopBeforeSync = false
    /// `--revert`: revert the changes (a reason is asked), then backport the reverts.
    public var revert = false
    /// Who backports.
    public var user: String
    /// The global lock file.
    public var globalLockPath = DeployLock.defaultGlobalPath
    /// How long to wait for busy locks.
    public var lockTimeout = DeployLock.defaultTimeout
    /// How often busy locks are tried again.
    public var lockPollInterval: Duration = .milliseconds(500)
    /// The last place target lists are looked for (`nil`: skip `/etc/dsh/group`).
    public var systemGroupDirectory: String? = "/etc/dsh/group"

    /// Creates request.
    public init(root: String, changes: [String], user: String? = nil) {
        self.root = root
        self.changes = changes
        self.user = user ?? ScapConfig.currentUserName
    }
}

/// How a backport ended, and its exit code.
public struct BackportResult: Sendable, Equatable {
    /// `succeeded`, `listed`, `stopped_before_sync`, `declined`, `rolled_back`, `failed`, `interrupted`.
    public var outcome: String
    /// The commit deployed, if the changes were merged.
    public var commit: String?
    /// The sync's outcome, if it ran.
    public var sync: BackportSync.Outcome?

    /// 0 on success (and `--list`, `--stop-before-sync`), 130 when interrupted, else 1.
    public var exitCode: Int32 {
        switch outcome {
        case "succeeded", "listed", "stopped_before_sync": 0
        case "interrupted": 130
        default: 1
        }
    }
}

/// `scap backport` on the deploy host: validate the changes, confirm, lock, merge, sync with smoke tests and
/// error-rate gates, then announce and record the history.
///
/// ```swift
/// let backport = Backport(request: request, config: config, executor: runner,
///                          prompter: TerminalBackportPrompter(), console: console)
/// let result = try await backport.run()
/// ```
public struct Backport: Sendable {
    /// What was asked.
    public var request: BackportRequest
    /// The effective configuration.
    public var config: ScapConfig
    /// Runs stages on targets.
    public var executor: any DeployStageExecutor
    /// Asks the questions.
    public var prompter: any BackportPrompter
    /// Lines and status.
    public var console: BackportConsole
    /// Follows each stage's targets.
    public var progress: DeployProgress?
    /// Ctrl-C.
    public var interruption: DeployInterruption?
    /// The change source (`nil`: the one `change_source` names).
    public var changeSource: (any ChangeSource)?
    /// Adjusts each host's plan (tests).
    public var customizePlan: @Sendable (inout TargetStagePlan, _ host: String) -> Void = { _, _ in }
    /// The SAL announcer.
    public var announcer: ScapAnnouncer

    /// Creates the application.
    public init(
        request: BackportRequest, config: ScapConfig, executor: any DeployStageExecutor,
        prompter: any BackportPrompter = DefaultAnswersBackportPrompter(),
        console: BackportConsole = BackportConsole(line: { text, _ in print(text) }), progress: DeployProgress? = nil,
        interruption: DeployInterruption? = nil, changeSource: (any ChangeSource)? = nil
    ) {
        self.request = request
        self.config = config
        self.executor = executor
        self.prompter = prompter
        self.console = console
        self.progress = progress
        self.interruption = interruption
        self.changeSource = changeSource
        self.announcer = ScapAnnouncer(config: config, user: request.user)
    }

    /// The source `change_source` names.
    /// - Throws: ``BackportError`` (`.usage`) for an unknown source or missing settings.
    public func makeChangeSource() async throws(BackportError) -> any ChangeSource {
        if let changeSource { return changeSource }
        let remote = config.backportString("backport_remote") ?? "origin"
        let branch = config.backportString("backport_branch")
        switch config.backportString("change_source") ?? "git" {
        case "git":
            return try await GitChangeSource(root: request.root, remote: remote, branch: branch)
        case "gerrit":
            return try await GerritChangeSource(config: config, root: request.root, remote: remote, branch: branch)
        case let other:
            throw BackportError(.usage, "change_source '\(other)' is unknown: expected git or gerrit")
        }
    }

    /// Runs the backport, then closes the executor's connections.
    /// - Throws: ``BackportError`` when it cannot start or the changes cannot be backported.
    public func run() async throws(BackportError) -> BackportResult {
        let result: Result<BackportResult, BackportError>
        do {
            result = .success(try await backport())
        } catch {
            result = .failure(error)
        }
        await executor.close()
        console.status(nil)
        return try result.get()
    }

    private func backport() async throws(BackportError) -> BackportResult {
        let source = try await makeChangeSource()
        if request.list {
            console.status("Listing open changes")
            let pending = try await source.pending()
            if pending.isEmpty { console.print("No open changes for \(source.deployBranch)") }
            showTable(pending, title: "Open changes for \(source.deployBranch):")
            return BackportResult(outcome: "listed")
        }
        guard !request.changes.isEmpty else {
            throw BackportError(.usage, "name at least one change: scap backport CHANGE… (or --list)")
        }
        // Everything that can be checked before the lock: configuration, groups, plan, smoke tests.
        let deployment = try makeDeployment()
        let groups = try groupsOf(deployment)
        let smokeTests = try loadSmokeTests()
        let smokeRunner = try makeSmokeRunner()

        console.status("Checking changes")
        var changes = try await source.resolve(request.changes)
        if request.revert {
            console.status("Awaiting user interaction")
            guard let reason = await prompter.inputLine("Reason for the revert:"), !reason.isEmpty else {
                throw BackportError(.usage, "--revert needs a reason; none was given")
            }
            changes = try await source.revert(changes, reason: reason, user: request.user)
        }
        let problems = ChangeProblems.check(changes, deployBranch: source.deployBranch).problems
        guard problems.isEmpty else {
            throw BackportError(.changes, "cannot backport:\n" + problems.map { "  - " + $0 }.joined(separator: "\n"))
        }
        changes = ChangeProblems.ordered(changes)
        for change in changes where change.status == .merged {
            console.line(
                "Change \(change.label) (\(change.subject)) is already merged: it is synced as it is", change.security)
        }
        showTable(changes, title: "Changes to backport:")
        console.changes(changes, config.backportString("gerrit_project") ?? config.gitRepo)
        if !request.yes {
            console.status("Awaiting user interaction")
            let answer = await prompter.choose(
                "Backport the changes?", choices: [("Yes", "y"), ("No", "n")], default: "n")
            if answer != "y" {
                console.print("Backport cancelled: nothing was merged or deployed")
                return BackportResult(outcome: "declined")
            }
        }

        guard let repo = config.gitRepo, let lockPath = config.lockFile else {
            throw BackportError(.usage, "git_repo is not set in scap/scap.cfg")
        }
        let message = "Backport for " + changes.map(salName).joined(separator: ", ")
        console.status("Waiting for the deploy lock")
        let lock: DeployLock
        do {
            let console = self.console
            lock = try await DeployLock.acquire(
                path: lockPath, globalPath: request.globalLockPath, reason: message, timeout: request.lockTimeout,
                pollInterval: request.lockPollInterval, notify: { console.print($0) })
        } catch {
            throw BackportError(.failed, error.message)
        }
        defer { lock.release() }

        let started = Date()
        console.status("Merging changes")
        let host = ProcessInfo.processInfo.hostName
        let prompter = self.prompter
        let console = self.console
        var context = ChangeMergeContext(
            user: request.user, host: host, notify: { console.line($0, $1) }, status: { console.status($0) },
            ask: { prompt, choices, defaultCode in
                console.status("Awaiting user interaction")
                return await prompter.choose(prompt, choices: choices, default: defaultCode)
            })
        let interruption = self.interruption
        context.isInterrupted = { interruption?.isInterrupted ?? false }
        let commit = try await source.merge(changes, context: context)
        if request.stopBeforeSync {
            console.print("Merged at \(commit.prefix(10)); stopping before the sync (--stop-before-sync)")
            return BackportResult(outcome: "stopped_before_sync", commit: commit)
        }

        let (configFiles, perTarget) = try wrap { () throws(DeployError) in
            try deployment.prepareConfigFiles(stages: deployment.defaultStages)
        }
        let checks: [Check] = try wrap { () throws(DeployError) in
            do {
                return config.performChecks
                    ? try ChecksFile.load(root: request.root, environment: config.environment).checks : []
            } catch {
                throw DeployError("\(error)")
            }
        }
        let repository = DeployRepository(root: request.root)
        let revision = try await wrap { () async throws(DeployError) in
            try await repository.prepare(rev: commit, user: request.user, config: config, configFiles: configFiles)
        }
        let log = try openLog(revision)
        let what = "backport [\(repo)@\(revision.shortCommit)]"
        log.record(
            "Started \(what): \(message)", event: "started",
            extra: [
                "tag": .string(revision.tag), "commit": .string(revision.commit), "user": .string(revision.user),
                "changes": .array(changes.map { .string($0.label) }),
            ])
        announcer.announce("Started \(what): \(message)")
        let base: TargetStagePlan
        do {
            base = try TargetStagePlan(
                repo: repo, deployDirectory: config.gitDeployDir, revision: revision.commit,
                gitURL: repository.gitURL(config: config), cacheRevs: max(1, config.cacheRevs), force: false,
                serviceRestartCommand: deployment.serviceCommand(), servicePort: config.servicePort,
                serviceTimeout: config.serviceTimeout, configFiles: configFiles)
        } catch {
            throw BackportError(.failed, "cannot plan the sync: \(error)")
        }
        let nrpeDir = config.nrpeDir
        let customize = customizePlan
        let sync = BackportSync(
            groups: groups, stages: deployment.defaultStages, executor: executor,
            plan: { host, group in
                var plan = base
                plan.checks = checks.filter { $0.group == nil || $0.group == group.name }
                    .flatMap { $0.targetChecks(nrpeDir: nrpeDir) }
                if let perTarget {
                    switch await perTarget.files(for: host, among: group.hosts) {
                    case .success(let files): plan.configFiles = files
                    case .failure(let error): plan.configFailure = "config_deploy: \(error)"
                    }
                }
                customize(&plan, host)
                return plan
            }, prompter: prompter, console: console, log: log, progress: progress, interruption: interruption,
            smokeTests: smokeTests, smokeRunner: smokeRunner, canaryGate: config.errorRateGate(production: false),
            productionGate: config.errorRateGate(production: true), canaryWait: config.canaryWaitTime)
        let outcome = try await sync.run(started: started)
        let duration = Duration.milliseconds(Int64(Date().timeIntervalSince(started) * 1000)).scapMinutesSeconds
        let result =
            outcome.succeeded
            ? "succeeded" : outcome.interrupted ? "interrupted" : outcome.rolledBack ? "rolled_back" : "failed"
        let finished =
            outcome.succeeded
            ? "Finished \(what): \(message) (duration: \(duration))"
            : "Failed \(what): \(outcome.failure ?? "failed")" + (outcome.rolledBack ? "; rolled back" : "")
                + " (duration: \(duration))"
        announcer.announce(finished)
        log.record(
            finished, level: outcome.succeeded ? .info : .error, event: "finished",
            extra: [
                "succeeded": .bool(outcome.succeeded), "rolled_back": .bool(outcome.rolledBack),
                "duration": .double(Date().timeIntervalSince(started)),
            ])
        writeHistory(
            changes: changes, revision: revision, started: started, outcome: result, sync: outcome)
        return BackportResult(outcome: result, commit: commit, sync: outcome)
    }

    /// `[[gerrit:12345|subject]]`, or `[[gerrit:12345|security change]]` for a security change.
    func salName(_ change: BackportChange) -> String {
        let subject = change.security ? "security change" : change.subject
        if let number = change.number { return "[[gerrit:\(number)|\(subject)]]" }
        return "\(change.label) (\(subject))"
    }

    private func showTable(_ changes: [BackportChange], title: String) {
        guard !changes.isEmpty else { return }
        console.print(title)
        let width = max(6, changes.map(\.label.count).max() ?? 6)
        for change in changes {
            let label = change.label.padding(toLength: width, withPad: " ", startingAt: 0)
            let flags = [change.status.rawValue] + (change.security ? ["security"] : [])
            console.line(
                "  \(label)  \(change.shortCommit)  \(change.owner)  \(change.subject)  [\(flags.joined(separator: ", "))]",
                change.security)
        }
    }

    private func makeDeployment() throws(BackportError) -> Deployment {
        let deployRequest = DeployRequest(
            root: request.root, message: "backport", user: request.user, globalLockPath: request.globalLockPath,
            lockTimeout: request.lockTimeout, systemGroupDirectory: request.systemGroupDirectory)
        do {
            try config.validateForDeploy()
        } catch {
            throw BackportError(.usage, "\(error)")
        }
        return Deployment(request: deployRequest, config: config, executor: executor)
    }

    private func groupsOf(_ deployment: Deployment) throws(BackportError) -> BackportSync.Groups {
        let groups = try wrap { () throws(DeployError) in try deployment.groups() }
        let split = BackportSync.Groups(groups)
        if split.testservers == nil {
            console.print("No testservers group in server_groups: no test servers, smoke tests or confirmation")
        }
        return split
    }

    private func loadSmokeTests() throws(BackportError) -> SmokeTestSuite? {
        guard let file = config.backportString("smoke_tests") else { return nil }
        let path = file.hasPrefix("/") ? file : (request.root as NSString).appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: path) else {
            if config.values["smoke_tests"] != nil {
                throw BackportError(.usage, "smoke_tests: \(path) does not exist")
            }
            return nil
        }
        return try SmokeTestSuite.load(path: path)
    }

    private func makeSmokeRunner() throws(BackportError) -> SmokeTestRunner {
        var addresses: [String: String] = [:]
        if let file = config.backportString("smoke_test_hosts") {
            let path = file.hasPrefix("/") ? file : (request.root as NSString).appendingPathComponent(file)
            addresses = try SmokeTestRunner.loadAddresses(path: path)
        }
        return SmokeTestRunner(
            timeout: .milliseconds(Int64((config.backportNumber("smoke_test_timeout") ?? 10) * 1000)),
            concurrency: config.backportInt("smoke_test_concurrency") ?? 8, addresses: addresses)
    }

    private func openLog(_ revision: DeployRevision) throws(BackportError) -> DeployEventLog {
        let directory = DeployLogDirectory(root: request.root)
        do {
            try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
            let writer = try DeployLogWriter(
                path: (directory.path as NSString).appendingPathComponent(revision.logFileName))
            let console = self.console
            return DeployEventLog(writer: writer, console: { console.print($0) })
        } catch {
            throw BackportError(.failed, "cannot open the deploy log in \(directory.path): \(error)")
        }
    }

    /// Appends one JSON line to `backport_history`: the changes, revision, user, times and outcome.
    private func writeHistory(
        changes: [BackportChange], revision: DeployRevision, started: Date, outcome: String,
        sync: BackportSync.Outcome
    ) {
        let file = config.backportString("backport_history") ?? "scap/log/backport-history.jsonl"
        let path = file.hasPrefix("/") ? file : (request.root as NSString).appendingPathComponent(file)
        let record: JSONValue = .object([
            "changes": .array(
                changes.map { change in
                    .object([
                        "id": .string(change.id), "label": .string(change.label), "commit": .string(change.commit),
                        "subject": .string(change.security ? "(security change)" : change.subject),
                        "owner": .string(change.owner), "security": .bool(change.security),
                    ])
                }),
            "commit": .string(revision.commit), "tag": .string(revision.tag), "user": .string(request.user),
            "started": .string(DeployLockHolder.utcTimestamp(started)),
            "finished": .string(DeployLockHolder.utcTimestamp(Date())),
            "duration": .double(Date().timeIntervalSince(started)), "outcome": .string(outcome),
            "failure": sync.failure.map(JSONValue.string) ?? .null,
            "gates": .array(
                sync.gates.map { .object(["outcome": .string($0.outcome.rawValue), "message": .string($0.message)]) }),
            "ignored": .array(sync.ignored.map(JSONValue.string)),
        ])
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data((record.jsonText + "\n").utf8))
        } catch {
            console.print("cannot write the backport history to \(path): \(error)")
        }
    }
}

/// Runs `body`, turning its ``DeployError`` into a ``BackportError``.
func wrap<T>(_ body: () throws(DeployError) -> T) throws(BackportError) -> T {
    do {
        return try body()
    } catch {
        throw BackportError(error.kind == .usage ? .usage : .failed, error.message)
    }
}

/// Runs `body`, turning its ``DeployError`` into a ``BackportError``.
func wrap<T>(_ body: () async throws(DeployError) -> T) async throws(BackportError) -> T {
    do {
        return try await body()
    } catch {
        throw BackportError(error.kind == .usage ? .usage : .failed, error.message)
    }
}
