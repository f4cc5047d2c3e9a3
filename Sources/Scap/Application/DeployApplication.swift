import Foundation
import OpsSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The options of one `scap deploy`, as the command line gives them.
public struct DeployOptions: Sendable {
    /// `-r/--rev`: the revision to deploy (default: `git_rev`, else `HEAD`).
    public var revision: String?
    /// `-s/--stages`: comma-separated stage names, not parsed yet.
    public var stages: String?
    /// `-l/--limit-hosts`: all, a glob, `~REGEX`, `!negated`.
    public var limitHosts = "all"
    /// `-f/--force`: fetch and promote even when already deployed.
    public var force = false
    /// `--service-restart`: only restart the services.
    public var serviceRestartOnly = false
    /// `-i/--init`: only tag the revision and write `DEPLOY_HEAD`.
    public var initOnly = false
    /// `--dry-run`: show the `config_deploy` changes per target.
    public var dryRun = false
    /// `-e/--environment`: read `scap/environments/ENV/` too.
    public var environment: String?
    /// `-D key:value` overrides of `scap.cfg`.
    public var defines: [String] = []
    /// `--ssh-config`: an `ssh_config` file for the connections to the targets.
    public var sshConfig: String?
    /// `--transport`: how the targets are reached, `clustershell` (OpenSSH) or `native` (in-process SSH, when
    /// the program registered it); `nil` takes `ssh_transport` from scap.cfg, else `clustershell`.
    public var transport: String?
    /// `--persist-connections SECONDS`: persistent OpenSSH masters, reused by later deploys; `nil` takes
    /// `ssh_persist_connections` from scap.cfg, else none.
    public var persistConnections: Int?
    /// `--lock-timeout`, seconds (0 to 3600).
    public var lockTimeout: Double = 600
    /// `--global-lock`: the global lock file.
    public var globalLock = DeployLock.defaultGlobalPath
    /// The log message; asked on a terminal when empty.
    public var message = ""

    /// Creates options with `scap deploy`'s defaults.
    public init() {}
}

/// `scap deploy` as a library: finds the configuration, picks the output mode (a terminal, or SpiderPig's
/// machine mode when `SPIDERPIG_IO_KEY` is set), wires prompts, progress and Ctrl-C, runs the ``Deployment`` and
/// picks the exit code.
///
/// The executable only parses arguments into ``DeployOptions`` and calls ``run(_:)``; SpiderPig, `scap backport`
/// and tests call it in process with their own ``ScapInvocation``:
/// ```swift
/// var options = DeployOptions()
/// options.message = "deploy v2"
/// let code = await DeployApplication(invocation: invocation).run(options)
/// ```
public struct DeployApplication: Sendable {
    /// Where the deploy runs and what it talks to.
    public var invocation: ScapInvocation
    /// Interrupts the deploy (stops the running stage, then offers the rollback); SIGINT and SIGTERM call it when
    /// ``handlesSignals`` is set.
    public var interruption: DeployInterruption
    /// Whether SIGINT and SIGTERM interrupt the deploy, a second one exiting the process with 130 at once (the
    /// executable); an in-process caller leaves them alone and uses ``interruption``.
    public var handlesSignals: Bool

    /// Creates the application.
    public init(
        invocation: ScapInvocation = .current(), interruption: DeployInterruption = DeployInterruption(),
        handlesSignals: Bool = false
    ) {
        self.invocation = invocation
        self.interruption = interruption
        self.handlesSignals = handlesSignals
    }

    /// Runs one deploy, printing errors as `scap deploy: <message>` on standard error.
    /// - Returns: the exit code (see ``ScapExitCode``): 0 deployed, 1 failed or aborted, 2 usage error.
    public func run(_ options: DeployOptions) async -> Int32 {
        do throws(DeployApplicationError) {
            let outcome = try await deploy(options)
            return outcome.succeeded ? ScapExitCode.success : outcome.exitCode
        } catch {
            invocation.fail("deploy", error.message)
            return error.exitCode
        }
    }

    /// Runs one deploy and returns its outcome; the deploy's own lines go to the invocation's output.
    /// - Throws: ``DeployApplicationError`` when it cannot start or stops on an error (its message is what
    ///   ``run(_:)`` prints, its ``DeployApplicationError/exitCode`` what it returns).
    public func deploy(_ options: DeployOptions) async throws(DeployApplicationError) -> DeployOutcome {
        let root = invocation.directory
        let config = try invocation.loadDeployConfig(
            command: "deploy", lockTimeout: options.lockTimeout, environment: options.environment,
            defines: options.defines, configErrorExitCode: ScapExitCode.failure)
        let io = invocation.environment[SpiderPigIO.keyVariable]
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .flatMap { $0.isEmpty ? nil : $0 }
            .map { SpiderPigIO(key: $0, write: invocation.writeOutput, readAnswer: invocation.readLine) }
        var logMessage = options.message
        if logMessage.isEmpty, io == nil, !options.initOnly, !options.dryRun, invocation.inputIsTerminal {
            invocation.writeOutput("Log message (press enter for none): ")
            logMessage = await invocation.readLine()?.trimmingCharacters(in: .whitespaces) ?? ""
        }
        let realUser = invocation.environment[SpiderPigIO.userVariable].flatMap { $0.isEmpty ? nil : $0 }
        var request = DeployRequest(
            root: root, revision: options.revision, limitHosts: options.limitHosts, force: options.force,
            serviceRestartOnly: options.serviceRestartOnly, message: logMessage, user: io == nil ? nil : realUser,
            globalLockPath: options.globalLock, lockTimeout: .milliseconds(Int64(options.lockTimeout * 1000)),
            dryRun: options.dryRun)
        request.initOnly = options.initOnly
        if let stages = options.stages {
            do throws(DeployError) {
                request.stages = try DeployRequest.parseStages(stages)
            } catch {
                throw DeployApplicationError(error)
            }
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
            let terminal = TerminalProgressLine(
                showsProgress: invocation.errorIsTerminal, writeOutput: invocation.writeOutput,
                writeError: invocation.writeError)
            console = terminal.print
            prompter = invocation.inputIsTerminal ? TerminalPrompter() : DefaultAnswersPrompter()
            progress = DeployProgress(report: terminal.show)
        }
        defer { io?.status(nil) }
        var runner = TargetStageRunner.forDeploy(
            config: config, sshOptions: options.sshConfig.map { ["-F \($0)"] } ?? [], transport: options.transport,
            persistConnections: options.persistConnections)
        runner.observer = progress
        let signals = handlesSignals ? Self.routeSignals(to: interruption, console: console) : nil
        defer { signals?.cancel() }
        let deployment = Deployment(
            request: request, config: config, executor: runner, prompter: prompter, console: console,
            progress: progress, interruption: interruption)
        do throws(DeployError) {
            return try await deployment.run()
        } catch {
            throw DeployApplicationError(error)
        }
    }

    /// SIGINT and SIGTERM interrupt the deploy; a second one exits the process at once.
    private static func routeSignals(to interruption: DeployInterruption, console: @escaping @Sendable (String) -> Void)
        -> SignalSubscription
    {
        SignalRouter.shared.route([SIGINT, SIGTERM]) { number in
            if interruption.interrupt() {
                let name = number == SIGINT ? "SIGINT" : "SIGTERM"
                console("Interrupted (\(name)): stopping the running stage; press Ctrl-C again to exit at once")
            } else {
                console("Interrupted again: exiting without waiting")
                Foundation.exit(ScapExitCode.interrupted)
            }
        }
    }
}

/// Why a `scap` subcommand stopped with an error: the message printed after `scap <command>: ` and the exit code.
public struct DeployApplicationError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and what to do about it.
    public var message: String
    /// The process exit code (1, or 2 for a usage error).
    public var exitCode: Int32
    /// The deploy error underneath, when there is one.
    public var underlying: DeployError?

    /// Creates an error with `message`.
    public init(_ message: String, exitCode: Int32 = ScapExitCode.failure) {
        self.message = message
        self.exitCode = exitCode
    }

    /// Wraps a ``DeployError``: usage errors exit 2, others 1.
    public init(_ error: DeployError) {
        self.init(error.message, exitCode: error.kind == .usage ? ScapExitCode.usage : ScapExitCode.failure)
        underlying = error
    }

    /// The message.
    public var description: String { message }
}
