import Foundation
import OpsSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The options of `scap backport` as given on its command line.
public struct BackportOptions: Sendable {
    /// The changes to backport.
    public var changes: [String] = []
    /// `--list`.
    public var list = false
    /// `--yes`.
    public var yes = false
    /// `--stop-before-sync`.
    public var stopBeforeSync = false
    /// `--revert`.
    public var revert = false
    /// `-e/--environment`.
    public var environment: String?
    /// `-D key:value`.
    public var defines: [String] = []
    /// `--ssh-config`.
    public var sshConfig: String?
    /// `--transport`: `clustershell` or `native`; `nil` takes `ssh_transport`, else `clustershell`.
    public var transport: String?
    /// `--persist-connections SECONDS`; `nil` takes `ssh_persist_connections`, else none.
    public var persistConnections: Int?
    /// `--lock-timeout`, seconds.
    public var lockTimeout: Double = 600
    /// `--global-lock`.
    public var globalLock = DeployLock.defaultGlobalPath

    /// Creates the defaults.
    public init() {}
}

/// `scap backport` as a program over a ``ScapInvocation``: configuration, machine mode (`SPIDERPIG_IO_KEY`) or the
/// terminal, the stage runner, Ctrl-C, then ``Backport``. The executable and SpiderPig run it alike.
///
/// ```swift
/// var options = BackportOptions()
/// options.changes = ["12345"]
/// let status = await BackportApplication(handlesSignals: true).run(options)
/// ```
public struct BackportApplication: Sendable {
    /// The directory, environment and streams.
    public var invocation: ScapInvocation
    /// Ctrl-C: stops the running stage or wait and offers a rollback.
    public var interruption: DeployInterruption
    /// Whether SIGINT and SIGTERM are routed to ``interruption`` (the executable: yes).
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

    /// Runs the backport and returns the exit status; errors go to the invocation's error stream.
    public func run(_ options: BackportOptions) async -> Int32 {
        do throws(DeployApplicationError) {
            return try await backport(options).exitCode
        } catch {
            invocation.fail("backport", error.message)
            return error.exitCode
        }
    }

    /// Runs the backport.
    /// - Throws: ``DeployApplicationError`` when it cannot start, or the changes cannot be backported.
    public func backport(_ options: BackportOptions) async throws(DeployApplicationError) -> BackportResult {
        let root = invocation.directory
        let config = try invocation.loadDeployConfig(
            command: "backport", lockTimeout: options.lockTimeout, environment: options.environment,
            defines: options.defines, configErrorExitCode: ScapExitCode.usage)
        let io = invocation.environment[SpiderPigIO.keyVariable]
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .flatMap { $0.isEmpty ? nil : $0 }
            .map { SpiderPigIO(key: $0, write: invocation.writeOutput, readAnswer: invocation.readLine) }
        let realUser = invocation.environment[SpiderPigIO.userVariable].flatMap { $0.isEmpty ? nil : $0 }
        var request = BackportRequest(root: root, changes: options.changes, user: io == nil ? nil : realUser)
        request.list = options.list
        request.yes = options.yes
        request.stopBeforeSync = options.stopBeforeSync
        request.revert = options.revert
        request.globalLockPath = options.globalLock
        request.lockTimeout = .milliseconds(Int64(options.lockTimeout * 1000))

        let console: BackportConsole
        let prompter: any BackportPrompter
        let progress: DeployProgress
        if let io {
            console = BackportConsole(
                line: { io.line($0, sensitive: $1) }, status: { io.status($0) },
                changes: { io.changes($0, project: $1) })
            prompter = SpiderPigBackportPrompter(io: io)
            progress = DeployProgress { io.progress($0) }
        } else {
            let terminal = TerminalProgressLine(
                showsProgress: invocation.errorIsTerminal, writeOutput: invocation.writeOutput,
                writeError: invocation.writeError)
            console = BackportConsole(line: { text, _ in terminal.print(text) })
            prompter = TerminalBackportPrompter(invocation: invocation)
            progress = DeployProgress(report: terminal.show)
        }
        var runner = TargetStageRunner.forDeploy(
            config: config, sshOptions: options.sshConfig.map { ["-F \($0)"] } ?? [], transport: options.transport,
            persistConnections: options.persistConnections)
        runner.observer = progress
        let interruption = self.interruption
        let signals =
            handlesSignals
            ? SignalRouter.shared.route([SIGINT, SIGTERM]) { number in
                if interruption.interrupt() {
                    let name = number == SIGINT ? "SIGINT" : "SIGTERM"
                    console.print(
                        "Interrupted (\(name)): stopping the running step; press Ctrl-C again to exit at once")
                } else {
                    console.print("Interrupted again: exiting without waiting")
                    Foundation.exit(ScapExitCode.interrupted)
                }
            } : nil
        defer { signals?.cancel() }
        let backport = Backport(
            request: request, config: config, executor: runner, prompter: prompter, console: console,
            progress: progress, interruption: interruption)
        do throws(BackportError) {
            return try await backport.run()
        } catch {
            let code =
                switch error.kind {
                case .usage: ScapExitCode.usage
                case .interrupted: ScapExitCode.interrupted
                case .changes, .failed: ScapExitCode.failure
                }
            throw DeployApplicationError(error.message, exitCode: code)
        }
    }
}
