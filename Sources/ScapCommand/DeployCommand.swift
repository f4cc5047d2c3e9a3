import ArgumentParser
import CuminNativeSSH
import Foundation
import Scap

/// `scap deploy`: deploy the repository in the current directory to its server groups, canary first.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy the git repository in the current directory to its targets.",
        discussion: """
            Run from the top of a deploy repository holding scap/scap.cfg. The revision is tagged \
            scap/sync/YYYY-MM-DD/NNNN, then fetched and promoted group by group (server_groups order); between \
            groups you are asked to continue. On a failure you are offered a rollback of every deployed group. \
            Events go to scap/log/<tag>.log (see `scap deploy-log`).

            With SPIDERPIG_IO_KEY set in the environment, every output line is a JSON record carrying that key and \
            prompts are answered on standard input (the machine-readable mode for a supervisor; see the README). \
            Ctrl-C stops the running stage and offers the rollback; a second Ctrl-C exits at once.

            Exit status: 0 deployed, 1 failed or aborted, 2 usage error, 130 interrupted.
            """
    )

    @Option(name: [.short, .long], help: "The revision to deploy (default: git_rev, else HEAD).")
    var rev: String?

    @Option(
        name: [.short, .long],
        help: "Comma-separated stages to run (default: fetch,config_deploy,promote; config_deploy only when enabled).")
    var stages: String?

    @Option(name: [.short, .customLong("limit-hosts")], help: "Only these hosts: all, a glob, ~REGEX, !negated.")
    var limitHosts = "all"

    @Flag(name: [.short, .long], help: "Fetch and promote even when the revision is already deployed.")
    var force = false

    @Flag(name: .customLong("service-restart"), help: "Only restart the services (service_name).")
    var serviceRestart = false

    @Flag(name: [.short, .customLong("init")], help: "Only tag the revision and write DEPLOY_HEAD; touch no target.")
    var initOnly = false

    @Flag(name: .customLong("dry-run"), help: "Show the config_deploy changes per target (diff -u); change nothing.")
    var dryRun = false

    @Option(name: [.short, .long], help: "Read scap/environments/ENV/ too.")
    var environment: String?

    @Option(name: .customShort("D"), help: "Override a scap.cfg key, as key:value (repeatable).")
    var defines: [String] = []

    @Option(name: .customLong("ssh-config"), help: "An ssh_config file for the connections to the targets.")
    var sshConfig: String?

    @Option(help: "How to reach the targets: clustershell (OpenSSH, the default) or native (in-process SSH).")
    var transport = "clustershell"

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for a busy lock (default 600).")
    var lockTimeout: Double = 600

    @Option(name: .customLong("global-lock"), help: "The global lock file.")
    var globalLock = DeployLock.defaultGlobalPath

    @Argument(help: "The log message.")
    var message: [String] = []

    func run() async throws {
        if let refusal = RootRefusal.reason() {
            fail(refusal)
            throw ExitCode.failure
        }
        let root = FileManager.default.currentDirectoryPath
        let configPath = (root as NSString).appendingPathComponent("scap/scap.cfg")
        guard FileManager.default.fileExists(atPath: configPath) else {
            fail("Deployment configuration not found: \(configPath) does not exist; run scap deploy from the top of "
                + "a deploy repository")
            throw ExitCode.failure
        }
        guard lockTimeout >= 0, lockTimeout <= 3600 else {
            fail("--lock-timeout must be between 0 and 3600 seconds")
            throw ExitCode(2)
        }
        let config: ScapConfig
        do {
            config = try ScapConfigLoader(root: root, environment: environment, overrides: defines).load()
        } catch {
            fail("\(error)")
            throw ExitCode.failure
        }
        let io = SpiderPigIO.fromEnvironment()
        var logMessage = message.joined(separator: " ")
        if logMessage.isEmpty, io == nil, !initOnly, !dryRun, isatty(STDIN_FILENO) == 1 {
            print("Log message (press enter for none): ", terminator: "")
            fflush(nil)
            logMessage = readLine()?.trimmingCharacters(in: .whitespaces) ?? ""
        }
        let realUser = ProcessInfo.processInfo.environment[SpiderPigIO.userVariable].flatMap { $0.isEmpty ? nil : $0 }
        var request = DeployRequest(
            root: root, revision: rev, limitHosts: limitHosts, force: force, serviceRestartOnly: serviceRestart,
            message: logMessage, user: io == nil ? nil : realUser, globalLockPath: globalLock,
            lockTimeout: .milliseconds(Int64(lockTimeout * 1000)), dryRun: dryRun)
        request.initOnly = initOnly
        do {
            if let stages { request.stages = try DeployRequest.parseStages(stages) }
        } catch {
            fail(error.message)
            throw ExitCode(2)
        }
        let console: @Sendable (String) -> Void
        let prompter: any DeployPrompter
        let progress: DeployProgress
        if let io {
            console = { io.line($0) }
            prompter = SpiderPigPrompter(io: io)
            progress = DeployProgress { snapshot in
                if snapshot.tasksFinishedTotal == 0 && !snapshot.progressFinished { io.status(snapshot.name) }
                io.progress(snapshot)
            }
        } else {
            let terminal = TerminalProgressLine()
            console = terminal.print
            prompter = TerminalPrompter()
            progress = DeployProgress(report: terminal.show)
        }
        NativeSSH.register()
        var runner = TargetStageRunner.forDeploy(
            config: config, sshOptions: sshConfig.map { ["-F \($0)"] } ?? [], transport: transport)
        runner.observer = progress
        let interruption = DeployInterruption()
        let signals = SignalRouter([SIGINT, SIGTERM]) { number in
            if interruption.interrupt() {
                let name = number == SIGINT ? "SIGINT" : "SIGTERM"
                console("Interrupted (\(name)): stopping the running stage; press Ctrl-C again to exit at once")
            } else {
                console("Interrupted again: exiting without waiting")
                Foundation.exit(130)
            }
        }
        defer { signals.stop() }
        let deployment = Deployment(
            request: request, config: config, executor: runner, prompter: prompter, console: console,
            progress: progress, interruption: interruption)
        let outcome: DeployOutcome
        do {
            outcome = try await deployment.run()
        } catch {
            fail(error.message)
            io?.status(nil)
            throw ExitCode(error.kind == .usage ? 2 : 1)
        }
        io?.status(nil)
        if !outcome.succeeded { throw ExitCode(outcome.exitCode) }
    }

    private func fail(_ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data("scap deploy: \(message)\n".utf8))
    }
}
