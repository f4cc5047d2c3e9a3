import Cumin
import Logging
import NodeSet
import OpsSupport

extension RemoteHosts {
    /// Runs commands in sync mode: each command completes on every host before the next one starts, and only on
    /// the hosts that succeeded the previous one.
    ///
    /// ```swift
    /// try await hosts.runSync([Command("systemctl restart nginx", timeout: .seconds(60))], batchSize: .count(2))
    /// ```
    /// - Parameters:
    ///   - commands: the commands, each with its own timeout and accepted exit codes.
    ///   - successThreshold: the fraction (0...1) of hosts that must succeed for the run to go on.
    ///   - batchSize: how many hosts run at once (a number or a percentage); all by default.
    ///   - batchSleep: the pause after a host finishes before the next one starts.
    ///   - isSafe: whether the commands change nothing, so that they run in dry-run mode too.
    ///   - printOutput: print cumin's report (grouped outputs, failures, success ratios); it is logged at debug
    ///     level either way.
    ///   - printProgressBars: draw PASS/FAIL bars when standard error is a terminal.
    /// - Returns: the outputs; empty when the commands were skipped in dry-run mode.
    /// - Throws: ``RemoteExecutionError`` when not every host succeeded (not in dry-run mode), ``RemoteError``
    ///   when the run cannot start, `CancellationError` when the calling task was cancelled.
    @discardableResult
    public func runSync(
        _ commands: [Command], successThreshold: Double = 1.0, batchSize: BatchSize? = nil,
        batchSleep: Duration? = nil, isSafe: Bool = false, printOutput: Bool = true, printProgressBars: Bool = true
    ) async throws -> RemoteResults {
        try await execute(
            commands,
            options: ExecutionOptions(
                mode: .sync, batchSize: batchSize, batchSleep: batchSleep ?? .zero,
                successThreshold: successThreshold),
            isSafe: isSafe, printOutput: printOutput, printProgressBars: printProgressBars)
    }

    /// Runs shell command lines in sync mode, each as a ``Command`` with the default timeout and exit codes; the
    /// parameters, result and errors are those of the `[Command]` overload.
    @discardableResult
    public func runSync(
        _ commands: String..., successThreshold: Double = 1.0, batchSize: BatchSize? = nil,
        batchSleep: Duration? = nil, isSafe: Bool = false, printOutput: Bool = true, printProgressBars: Bool = true
    ) async throws -> RemoteResults {
        try await runSync(
            commands.map { Command($0) }, successThreshold: successThreshold, batchSize: batchSize,
            batchSleep: batchSleep, isSafe: isSafe, printOutput: printOutput, printProgressBars: printProgressBars)
    }

    /// Runs commands in async mode: every host runs the whole list on its own and stops at its first failure.
    ///
    /// The parameters, result and errors are those of the `[Command]` overload of `runSync`.
    @discardableResult
    public func runAsync(
        _ commands: [Command], successThreshold: Double = 1.0, batchSize: BatchSize? = nil,
        batchSleep: Duration? = nil, isSafe: Bool = false, printOutput: Bool = true, printProgressBars: Bool = true
    ) async throws -> RemoteResults {
        try await execute(
            commands,
            options: ExecutionOptions(
                mode: .async, batchSize: batchSize, batchSleep: batchSleep ?? .zero,
                successThreshold: successThreshold),
            isSafe: isSafe, printOutput: printOutput, printProgressBars: printProgressBars)
    }

    /// Runs shell command lines in async mode, each as a ``Command`` with the default timeout and exit codes; the
    /// parameters, result and errors are those of the `[Command]` overload.
    @discardableResult
    public func runAsync(
        _ commands: String..., successThreshold: Double = 1.0, batchSize: BatchSize? = nil,
        batchSleep: Duration? = nil, isSafe: Bool = false, printOutput: Bool = true, printProgressBars: Bool = true
    ) async throws -> RemoteResults {
        try await runAsync(
            commands.map { Command($0) }, successThreshold: successThreshold, batchSize: batchSize,
            batchSleep: batchSleep, isSafe: isSafe, printOutput: printOutput, printProgressBars: printProgressBars)
    }

    /// Spicerack's `_execute`: sudo prefix, the debug line, the dry-run skip, the run, the report and the verdict.
    private func execute(
        _ commands: [Command], options: ExecutionOptions, isSafe: Bool, printOutput: Bool, printProgressBars: Bool
    ) async throws -> RemoteResults {
        guard !commands.isEmpty else { throw RemoteError("No commands provided", hosts: hosts) }
        if case .count(let size) = options.batchSize, size < 1 {
            throw RemoteError("The batch size must be a positive number of hosts, got \(size)", hosts: hosts)
        }
        let sent = commands.map(prepared)
        let list = "[" + sent.map { "'\($0.command)'" }.joined(separator: ", ") + "]"
        logger.debug("Executing commands \(list) on \(count) hosts: \(hosts)")
        if dryRun && !isSafe { return RemoteResults(commands: sent, execution: nil) }

        var options = options
        if let batch = try? options.batchSize?.resolve(total: count) ?? count, batch >= count {
            // Every host starts at once: there is no next batch to wait for (Spicerack's T213296 workaround).
            options.batchSleep = .zero
        }
        let executor = Executor(
            transport: try remote.makeTransport(commandCount: sent.count), options: options,
            observer: observer(mode: options.mode, printOutput: printOutput, printProgressBars: printProgressBars))
        remote.onExecute?(hosts)
        let execution: ExecutionResults
        do {
            execution = try await executor.run(sent, on: hosts)
        } catch {
            throw RemoteError("Unable to start the Cumin execution on \(hosts): \(error)", hosts: hosts)
        }
        let results = RemoteResults(commands: sent, execution: execution)
        logOutputs(results)
        if execution.status == .interrupted { throw CancellationError() }
        let exitCode = execution.status.exitCode
        logger.debug("Cumin execution on \(hosts) \(execution.status) (exit_code=\(exitCode))")
        if exitCode != 0 && !dryRun {
            throw RemoteExecutionError(exitCode: exitCode, results: results)
        }
        return results
    }

    /// Cumin's reporter on the console when the output is printed; otherwise only the progress bars (when
    /// wanted), while a reporter on a discarded console still logs the summary lines for the extended log.
    private func observer(mode: ExecutionOptions.Mode, printOutput: Bool, printProgressBars: Bool)
        -> any ExecutionObserver
    {
        let output = remote.output
        let style = output.progressStyle(printProgressBars: printProgressBars)
        let reportLogger = DebugLevelLogHandler.demoting(logger)
        if printOutput {
            return CuminReporter(
                console: output.console, colors: output.colors, progress: style, mode: mode, logger: reportLogger)
        }
        let summaries = CuminReporter(
            console: .memory(), colors: Colors(enabled: false), progress: .off, mode: mode, quiet: true,
            logger: reportLogger)
        guard style != .off else { return summaries }
        let bars = ProgressBars(console: output.console, colors: output.colors, style: style)
        return ObserverGroup(observers: [summaries, ProgressObserver(bars: bars)])
    }

    /// The command as sent: with `sudo -i ` when the hosts use sudo, and the configured timeout when it has none.
    private func prepared(_ command: Command) -> Command {
        var sent = command
        if useSudo { sent.command = "sudo -i " + command.command }
        if sent.timeout == nil, let seconds = remote.configuration.clustershell.commandTimeout {
            sent.timeout = .seconds(rounding: seconds)
        }
        return sent
    }

    /// Logs every command's grouped output at debug level, for the extended log.
    private func logOutputs(_ results: RemoteResults) {
        for (index, command) in results.commands.enumerated() {
            let groups = results.groups(command: index)
            if groups.isEmpty {
                logger.debug("No output for command #\(index + 1) '\(command.command)' on \(hosts)")
            }
            for group in groups {
                let target = "(\(group.hosts.count)) \(group.hosts)"
                logger.debug("Output for command #\(index + 1) '\(command.command)' on \(target):\n\(group.output)")
            }
        }
    }
}
