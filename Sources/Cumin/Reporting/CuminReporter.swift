import Foundation
import Logging
import NodeSet
import Synchronization

/// Prints a run the way cumin does: grouped outputs (`===== NODE GROUP =====`), failure and success-ratio
/// summaries, the single-host live stream, and PASS/FAIL progress.
///
/// With `quiet` (cumin's reporter for `-o txt|json`) only the summary lines are printed.
public final class CuminReporter: ExecutionObserver {
    private let console: Console
    private let colors: Colors
    private let progress: ProgressBars
    private let quiet: Bool
    private let mode: ExecutionOptions.Mode
    private let logger: Logger?
    private let liveEndsWithNewline = Mutex(true)

    /// Creates a reporter.
    /// - Parameters:
    ///   - console: where to write.
    ///   - colors: colour palette.
    ///   - progress: how to show progress.
    ///   - mode: the run's mode (async prints all outputs at the end).
    ///   - quiet: summaries only (`-o`).
    ///   - logger: also logs summary lines (cumin's audit log).
    public init(
        console: Console, colors: Colors, progress: ProgressBars.Style, mode: ExecutionOptions.Mode,
        quiet: Bool = false, logger: Logger? = nil
    ) {
        self.console = console
        self.colors = colors
        self.progress = ProgressBars(console: console, colors: colors, style: progress)
        self.mode = mode
        self.quiet = quiet
        self.logger = logger
    }

    public func executionWillStart(command index: Int?, hostCount: Int) {
        logger?.debug("starting \(index.map { "command #\($0 + 1)" } ?? "all commands") on \(hostCount) hosts")
        progress.reset(total: hostCount)
    }

    public func singleHostCommandWillStart(_ index: Int, _ command: Command) {
        guard !quiet else { return }
        finishLiveLine()
        console.printStdout(colors.blue(Self.header(command, index: index)))
    }

    public func liveOutput(_ chunk: [UInt8], from stream: OutputStream) {
        guard !quiet, !chunk.isEmpty else { return }
        liveEndsWithNewline.withLock { $0 = chunk.last == UInt8(ascii: "\n") }
        console.writeStdout(chunk)
    }

    public func hostDidComplete(_ host: String, state: HostState) {
        logger?.debug("node=\(host), state=\(state)")
        progress.update(success: state == .success)
    }

    public func commandDidComplete(_ index: Int, results: ExecutionResults) {
        printOutputs(of: [index], results: results, always: true)
        progress.close()
        printFailures(results, command: index)
        printSuccess(results, command: index)
    }

    public func globalTimeoutDidExpire(results: ExecutionResults) {
        let total = results.hosts.count
        report(
            count: results.globalTimeoutRunning.count, total: total,
            message: "of nodes were executing a command when the global timeout occurred",
            nodes: results.globalTimeoutRunning, color: colors.red, level: .error)
        report(
            count: results.notStarted.count, total: total,
            message: "of nodes were pending execution when the global timeout occurred",
            nodes: results.notStarted, color: colors.red, level: .error)
    }

    public func executionDidComplete(results: ExecutionResults) {
        if mode == .async {
            printOutputs(of: Array(results.commands.indices), results: results, always: false)
            progress.close()
            printFailures(results, command: nil)
        }
        printSuccess(results, command: nil)
    }

    // MARK: - Blocks

    private func printOutputs(of indices: [Int], results: ExecutionResults, always: Bool) {
        guard !quiet else { return }
        if results.hosts.count == 1 {
            finishLiveLine()
            console.printStdout(colors.blue("================"))
            return
        }
        for index in indices {
            let groups = results.outputGroups(command: index)
            guard always || !groups.isEmpty else { continue }
            var text = ""
            for group in groups {
                text += colors.blue("===== NODE GROUP =====") + "\n"
                text += colors.cyan("(\(group.hosts.count)) \(group.hosts)") + "\n"
                text += colors.blue(Self.header(results.commands[index], index: index)) + "\n"
                text += group.text + "\n"
            }
            text += colors.blue(groups.isEmpty ? "===== NO OUTPUT =====" : "================") + "\n"
            console.writeStdout(Array(text.utf8))
        }
    }

    /// cumin's `failed_nodes`: failed then timed-out hosts, grouped by the command they stopped at.
    private func printFailures(_ results: ExecutionResults, command filter: Int?) {
        for state in [HostState.failed, .timeout] {
            var order: [Int] = []
            var byCommand: [Int: [String]] = [:]
            for host in results.hosts where host.state == state {
                let index = max(host.lastExecutedCommandIndex, 0)
                if byCommand[index] == nil { order.append(index) }
                byCommand[index, default: []].append(host.name)
            }
            for index in order {
                if let filter, index != filter { continue }
                let names = byCommand[index] ?? []
                let verb = state == .timeout ? "timeout while executing" : "failed to execute"
                let short = results.commands[index].shortened()
                report(
                    count: names.count, total: results.hosts.count,
                    message: "of nodes \(verb) command #\(index + 1): '\(short)'",
                    nodes: NodeSet(nodes: names), color: colors.red, level: .error)
            }
        }
    }

    /// cumin's `success_nodes`: the success ratio of one command, or of the whole run.
    private func printSuccess(_ results: ExecutionResults, command index: Int?) {
        let total = results.hosts.count
        let last = results.commands.count - 1
        let successful = results.hosts.filter {
            $0.state == .success && $0.lastExecutedCommandIndex == (index ?? last)
        }.count
        let ratio = Double(successful) / Double(max(total, 1))
        let below = ratio < results.successThreshold
        let subject =
            index.map { " for command #\($0 + 1): '\(results.commands[$0].shortened())'" }
            ?? " of nodes successfully executed all commands"
        let message =
            "success ratio (\(below ? "<" : ">=") \(Self.percent(results.successThreshold)) threshold)"
            + subject + (below ? ". Aborting." : ".")
        var nodes: NodeSet?
        if successful != 0 && successful != total {
            nodes = NodeSet(nodes: results.hosts.lazy.filter { $0.state == .success }.map(\.name))
        }
        let color = successful == total ? colors.green : (below ? colors.red : colors.yellow)
        let level: Logger.Level = successful == total ? .info : (below ? .critical : .warning)
        report(count: successful, total: total, message: message, nodes: nodes, color: color, level: level)
    }

    private func report(
        count: Int, total: Int, message: String, nodes: NodeSet?, color: (String) -> String, level: Logger.Level
    ) {
        var line = "\(Self.percent(Double(count) / Double(max(total, 1)))) (\(count)/\(total)) \(message)"
        var nodesText = ""
        if let nodes, !nodes.isEmpty {
            line += ": "
            nodesText = "\(nodes)"
        }
        logger?.log(level: level, "\(line)\(nodesText)")
        console.printStderr(color(line) + colors.cyan(nodesText))
    }

    private func finishLiveLine() {
        let needsNewline = liveEndsWithNewline.withLock { value -> Bool in
            defer { value = true }
            return !value
        }
        if needsNewline { console.writeStdout([UInt8(ascii: "\n")]) }
    }

    /// `----- OUTPUT for command #N: 'short' -----`.
    static func header(_ command: Command, index: Int) -> String {
        "----- OUTPUT for command #\(index + 1): '\(command.shortened())' -----"
    }

    /// Python's `{:.1%}`.
    static func percent(_ ratio: Double) -> String {
        String(format: "%.1f%%", ratio * 100)
    }
}
