import Cumin
import Foundation

/// Where and how remote executions print: the console for cumin's report, whether the streams are terminals
/// (progress bars are drawn only on a terminal), and the colour palette.
///
/// ```swift
/// let output = RemoteOutput.standard()            // the process's stdout/stderr
/// let captured = RemoteOutput(console: .memory())  // for tests: read console.capturedStdout
/// ```
public struct RemoteOutput: Sendable {
    /// Where cumin's report (grouped outputs, success ratios, progress) is written.
    public var console: Console
    /// Whether standard output is a terminal.
    public var stdoutIsTerminal: Bool
    /// Whether standard error is a terminal; progress bars are drawn only then.
    public var stderrIsTerminal: Bool
    /// The colours of the report.
    public var colors: Colors

    /// Creates output options.
    /// - Parameters:
    ///   - console: where to print.
    ///   - stdoutIsTerminal: overrides what the console says about standard output.
    ///   - stderrIsTerminal: overrides what the console says about standard error.
    ///   - colors: the palette; by default colours are on when standard output is a terminal.
    public init(
        console: Console, stdoutIsTerminal: Bool? = nil, stderrIsTerminal: Bool? = nil, colors: Colors? = nil
    ) {
        self.console = console
        self.stdoutIsTerminal = stdoutIsTerminal ?? console.stdoutIsTerminal
        self.stderrIsTerminal = stderrIsTerminal ?? console.stderrIsTerminal
        self.colors = colors ?? Colors(enabled: self.stdoutIsTerminal)
    }

    /// The process's standard output and error, with cumin's colours on a terminal unless `NO_COLOR` is set.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> RemoteOutput {
        let console = Console.standard()
        return RemoteOutput(
            console: console,
            colors: Colors.detect(disabledByFlag: false, environment: environment, isTerminal: console.stdoutIsTerminal))
    }

    /// The progress display for a run: bars on a terminal when wanted, otherwise nothing (no `\r` redraws in
    /// pipes and log files).
    func progressStyle(printProgressBars: Bool) -> ProgressBars.Style {
        printProgressBars && stderrIsTerminal ? .bars : .off
    }
}
