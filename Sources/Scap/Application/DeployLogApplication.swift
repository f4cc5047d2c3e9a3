/// The options of one `scap deploy-log`, as the command line gives them.
public struct DeployLogOptions: Sendable {
    /// `-l/--latest`: parse and filter the latest log file, then exit.
    public var latest = false
    /// `-f/--file`: parse and filter this log file, then exit.
    public var file: String?
    /// `-v/--verbose`: show DEBUG records too.
    public var verbose = false
    /// The filter expression (`'levelno >= WARNING host == scap-target-*'`).
    public var expression = ""

    /// Creates options with `scap deploy-log`'s defaults.
    public init() {}
}

/// `scap deploy-log` as a library: prints the records of a log file that match a filter, or follows the newest
/// log of the repository, switching to newer logs as deploys start, until the task is cancelled.
///
/// ```swift
/// var options = DeployLogOptions()
/// options.latest = true
/// options.expression = "levelno >= WARNING"
/// let code = await DeployLogApplication(invocation: invocation).run(options)
/// ```
public struct DeployLogApplication: Sendable {
    /// Where the logs are looked for (`scap/log/` of the directory) and where records are printed.
    public var invocation: ScapInvocation
    /// How long the follower waits when a poll found nothing.
    public var pollInterval: Duration

    /// Creates the application.
    public init(invocation: ScapInvocation = .current(), pollInterval: Duration = .milliseconds(100)) {
        self.invocation = invocation
        self.pollInterval = pollInterval
    }

    /// Runs one `scap deploy-log`; errors are printed as `scap deploy-log: <message>` on standard error.
    /// - Returns: the exit code: 0 printed (or followed until cancelled), 1 no or unreadable log file, 64 a filter
    ///   expression that does not parse.
    public func run(_ options: DeployLogOptions) async -> Int32 {
        let filter: DeployLogFilter
        do {
            filter = try DeployLogFilter(parsing: options.expression).withDefaultLevel(verbose: options.verbose)
        } catch {
            invocation.writeError("scap deploy-log: \(error)\n\(error.caretDiagnostic)\n")
            return ScapExitCode.invalidFilter
        }
        let colorize = invocation.outputIsTerminal || invocation.environment["FORCE_COLOR"] != nil
        let formatter = DeployLogFormatter(colorize: colorize)
        let directory = DeployLogDirectory(root: invocation.directory)

        if options.latest || options.file != nil {
            guard let path = options.file ?? directory.latestFile() else {
                invocation.writeError("scap deploy-log: no log files in \(directory.path)\n")
                return ScapExitCode.failure
            }
            do {
                var text = ""
                for record in try DeployLogDirectory.records(inFile: path) where filter.matches(record) {
                    text += formatter.format(record) + "\n"
                }
                invocation.writeOutput(text)
            } catch {
                invocation.writeError("scap deploy-log: \(error)\n")
                return ScapExitCode.failure
            }
            return ScapExitCode.success
        }

        var follower = DeployLogFollower(directory: directory)
        while !Task.isCancelled {
            let batch = follower.poll()
            var text = batch.opened.map { "-- Opening log file: '\($0)'\n" } ?? ""
            for record in batch.records where filter.matches(record) { text += formatter.format(record) + "\n" }
            if !text.isEmpty { invocation.writeOutput(text) }
            if batch.records.isEmpty { try? await Task.sleep(for: pollInterval) }
        }
        return ScapExitCode.success
    }
}
