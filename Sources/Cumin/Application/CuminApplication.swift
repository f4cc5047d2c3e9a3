import Foundation
import Logging
import NodeSet
import OpsSupport

/// The `cumin` command's behaviour, as a library: resolve the query, confirm, run, report, and pick the exit code.
///
/// The executable only parses arguments into a ``CuminInvocation`` and calls ``run(_:)``; tests call it directly
/// with a memory ``Console``.
public struct CuminApplication: Sendable {
    /// Where messages and reports are written.
    public var console: Console
    /// The process environment (for `USER`, `SUDO_USER`, `NO_COLOR`).
    public var environment: [String: String]
    /// Reads one line of confirmation; `nil` at end of input.
    public var readAnswer: @Sendable () -> String?
    /// Whether standard output is a terminal (cumin asks for confirmation only then).
    public var isInteractive: Bool

    /// Creates the application bound to the process's terminal and environment.
    public init(
        console: Console = .standard(), environment: [String: String] = ProcessInfo.processInfo.environment,
        readAnswer: @escaping @Sendable () -> String? = { readLine() }, isInteractive: Bool? = nil
    ) {
        self.console = console
        self.environment = environment
        self.readAnswer = readAnswer
        self.isInteractive = isInteractive ?? console.stdoutIsTerminal
    }

    /// Runs one invocation and returns the process exit code (see ``CuminExitCode``).
    public func run(_ arguments: CuminInvocation) async -> Int32 {
        var invocation = arguments
        let colors = Colors.detect(
            disabledByFlag: invocation.noColors, environment: environment,
            isTerminal: console.stdoutIsTerminal && console.stderrIsTerminal, choice: invocation.color)
        do throws(ExecutionError) {
            try invocation.validate()
        } catch {
            console.printStderr("cumin: error: \(error.message)")
            return CuminExitCode.failure
        }
        if invocation.ignoreExitCodes {
            say("IGNORE EXIT CODES mode enabled, all commands executed will be considered successful", colors)
        }

        let user = realUser()
        var configuration: Configuration
        var logger = Logger(label: "cumin", factory: { _ in SwiftLogNoOpLogHandler() })
        do throws(ConfigurationError) {
            configuration = try Configuration.load(path: invocation.configPath)
        } catch {
            say("Invalid configuration: \(error)", colors)
            return CuminExitCode.failure
        }
        if let logFile = configuration.logFile {
            do throws(ExecutionError) {
                let sink = try FileLogHandler.Sink(path: logFile)
                let level: Logger.Level = invocation.trace ? .trace : invocation.debug ? .debug : .info
                logger = Logger(label: "cumin") { label in
                    FileLogHandler(label: label, user: user.name, sink: sink, level: level)
                }
            } catch {
                say(error.message, colors)
                return CuminExitCode.failure
            }
        }
        if let backend = invocation.backend { configuration.defaultBackend = backend }
        if let transport = invocation.transport { configuration.transport = transport }
        logger.info("Cumin called by user '\(user.name)' with args: \(invocation.commandLine)")
        if user.isRoot { logger.warning("Running as root without SUDO_USER: the audit log names root as the user") }

        let code = await execute(invocation, configuration: configuration, colors: colors, logger: logger)
        logger.info("Cumin execution completed (exit_code=\(code))")
        return code
    }

    // MARK: - Steps

    private func execute(
        _ invocation: CuminInvocation, configuration: Configuration, colors: Colors, logger: Logger
    ) async -> Int32 {
        let hosts: NodeSet
        do throws(QueryError) {
            hosts = try Query(configuration: configuration).execute(invocation.hostsQuery)
        } catch {
            say("Invalid query: \(error)", colors)
            logger.error("Invalid query: \(error)")
            return CuminExitCode.executionError
        }
        guard !hosts.isEmpty else {
            say("No hosts found that matches the query", colors)
            return CuminExitCode.success
        }
        say("\(hosts.count) hosts will be targeted:", colors)
        if invocation.dryRun {
            console.printStdout(colors.cyan(hosts.description))
            say("DRY-RUN mode enabled, aborting", colors)
            return CuminExitCode.success
        }
        say(colors.cyan(hosts.description), colors)
        if invocation.force {
            say("FORCE mode enabled, continuing without confirmation", colors)
        } else if let refusal = confirm(hosts.count, colors) {
            return refusal
        }

        let transport: any Transport
        do throws(ExecutionError) {
            transport = try makeTransport(invocation, configuration, logger: logger)
        } catch {
            say("Caught ExecutionError exception: \(error.message)", colors)
            return CuminExitCode.executionError
        }
        let okCodes: Set<Int32> = invocation.ignoreExitCodes ? [] : [0]
        let timeout = (invocation.timeout ?? configuration.clustershell.commandTimeout).map(Self.duration)
        let commands = invocation.commands.map { Command($0, timeout: timeout, okCodes: okCodes) }
        let mode = invocation.mode ?? .sync
        let options = ExecutionOptions(
            mode: mode, batchSize: invocation.batchSize, batchSleep: Self.duration(invocation.batchSleep ?? 0),
            successThreshold: Double(invocation.successPercentage) / 100,
            globalTimeout: invocation.globalTimeout.map(Self.duration))
        let progress: ProgressBars.Style =
            invocation.noProgress ? .off : (console.stderrIsTerminal ? .bars : .plain)
        let reporter = CuminReporter(
            console: console, colors: colors, progress: progress, mode: mode, quiet: invocation.output != nil,
            logger: logger)
        let executor = Executor(transport: transport, options: options, observer: reporter)
        logger.info("Executing commands \(invocation.commands) on '\(hosts.count)' hosts: \(hosts)")

        let task = Task { () async throws -> ExecutionResults in try await executor.run(commands, on: hosts) }
        // SIGINT (Ctrl-C) and SIGTERM cancel the run, so that its child processes are killed.
        let interrupts = SignalRouter.shared.route([SIGINT, SIGTERM]) { _ in task.cancel() }
        let outcome = await task.result
        interrupts.cancel()
        for note in transport.notes() { say(note, colors) }
        let results: ExecutionResults
        switch outcome {
        case .success(let value):
            results = value
        case .failure(let error):
            say("Caught ExecutionError exception: \(error)", colors)
            logger.error("Failed to execute: \(error)")
            return CuminExitCode.executionError
        }
        if results.status == .interrupted {
            say("Execution interrupted by Ctrl+c/SIGINT/Aborted", colors)
            logger.warning("Execution interrupted by Ctrl+c/SIGINT")
            return CuminExitCode.interrupted
        }
        if let format = invocation.output {
            console.printStdout(FormattedOutput.separator)
            console.printStdout(FormattedOutput.render(results, format: format))
        }
        return results.status.exitCode
    }

    /// Asks for the number of hosts, as cumin does; returns an exit code when the run must not go on.
    private func confirm(_ count: Int, _ colors: Colors) -> Int32? {
        guard isInteractive else {
            let message = "Not in a TTY but neither DRY-RUN nor FORCE mode were specified."
            say(message, colors)
            say("Caught CuminError exception: \(message) Use --force to run without confirmation.", colors)
            return CuminExitCode.executionError
        }
        for _ in 0..<10 {
            console.writeStderr(
                colors.yellow(
                    "OK to proceed on \(count) hosts? Enter the number of affected hosts to confirm or \"q\" to quit:")
                    + " ")
            guard let answer = readAnswer() else { break }
            if answer.isEmpty { continue }
            if answer == String(count) { return nil }
            if answer == "q" || answer == "Q" { break }
        }
        say("Execution interrupted by Ctrl+c/SIGINT/Aborted", colors)
        return CuminExitCode.interrupted
    }

    private func makeTransport(_ invocation: CuminInvocation, _ configuration: Configuration, logger: Logger)
        throws(ExecutionError) -> any Transport
    {
        let reuse = invocation.reuseConnections ?? (invocation.commands.count > 1)
        let persistent = configuration.clustershell.persistConnections != nil && invocation.reuseConnections != false
        let mode = invocation.connectionReuse ?? (persistent ? .persistent : reuse ? .session : ConnectionReuse.none)
        // One stream per command, merged on the host: identical hosts always show identical output, so they
        // always land in one group (cumin reads ssh's two streams from one pipe).
        return try TransportSelection.make(
            TransportRequest(
                configuration: configuration, connectionReuse: mode, logger: logger, mergeStandardError: true))
    }

    /// The operator behind this run: `SUDO_USER` under sudo, else `USER`, else the account name.
    private func realUser() -> (name: String, isRoot: Bool) {
        let user = environment["USER"] ?? ProcessInfo.processInfo.userName
        if user == "root" {
            if let sudoUser = environment["SUDO_USER"], sudoUser != "root", !sudoUser.isEmpty {
                return (sudoUser, false)
            }
            return ("root", true)
        }
        return (user, false)
    }

    /// cumin's `stderr()` helper: a yellow line on standard error.
    private func say(_ message: String, _ colors: Colors) {
        console.printStderr(colors.yellow(message))
    }

    private static func duration(_ seconds: Double) -> Duration {
        .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
