import ArgumentParser
import Foundation
import Scap

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `scap deploy-log`: tail, filter and print the events of the deploy logs.
struct DeployLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy-log",
        abstract: "Tail/filter/output events from the deploy logs.",
        discussion: """
            Without --latest or --file, follows the newest scap/log/*.log of the repository in the current \
            directory, switching to newer logs as deploys start.

            EXPR is whitespace-separated 'field op value' triples, all required: op is = or == (glob), ~ (regex \
            search), or > >= < <= (numeric; levelno accepts level names). 'and', 'or', 'not' and ( ) combine them. \
            Without a levelno criterion, records below INFO (DEBUG with -v) are hidden.

            Examples:
              scap deploy-log -v
              scap deploy-log 'host == scap-target-01'
              scap deploy-log 'msg ~ "some important (message|msg)"'
              scap deploy-log 'levelno >= WARNING host == scap-target-*'
            """
    )

    @Flag(name: [.short, .long], help: "Parse and filter the latest log file, then exit.")
    var latest = false

    @Option(name: [.short, .long], help: "Parse and filter an existing log file, then exit.")
    var file: String?

    @Flag(name: [.short, .long], help: "Show DEBUG records too.")
    var verbose = false

    @Option(
        help: ArgumentHelp(
            "When to color the records: auto (on a terminal, unless NO_COLOR is set), always or never.",
            valueName: "WHEN"))
    var color: ColorChoice = .auto

    @Argument(help: "Filter expression.")
    var expression = ""

    /// `--color`.
    enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, always, never
    }

    func run() throws {
        let filter: DeployLogFilter
        do {
            filter = try DeployLogFilter(parsing: expression).withDefaultLevel(verbose: verbose)
        } catch {
            printError("scap deploy-log: \(error)\n\(error.caretDiagnostic)")
            throw ExitCode.validationFailure
        }
        let environment = ProcessInfo.processInfo.environment
        let colorize =
            switch color {
            case .always: true
            case .never: false
            case .auto:
                (isatty(STDOUT_FILENO) == 1 && (environment["NO_COLOR"] ?? "").isEmpty)
                    || environment["FORCE_COLOR"] != nil
            }
        let formatter = DeployLogFormatter(colorize: colorize)
        let directory = DeployLogDirectory(root: FileManager.default.currentDirectoryPath)

        if latest || file != nil {
            guard let path = file ?? directory.latestFile() else {
                printError("scap deploy-log: no log files in \(directory.path)")
                throw ExitCode.failure
            }
            do {
                for record in try DeployLogDirectory.records(inFile: path) where filter.matches(record) {
                    print(formatter.format(record))
                }
            } catch {
                printError("scap deploy-log: \(error)")
                throw ExitCode.failure
            }
            return
        }

        var follower = DeployLogFollower(directory: directory)
        while true {
            let batch = follower.poll()
            if let opened = batch.opened { print("-- Opening log file: '\(opened)'") }
            for record in batch.records where filter.matches(record) { print(formatter.format(record)) }
            fflush(nil)
            if batch.records.isEmpty { usleep(100_000) }
        }
    }

    private func printError(_ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data((message + "\n").utf8))
    }
}
