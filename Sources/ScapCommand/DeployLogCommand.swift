import ArgumentParser
import Foundation
import Scap

/// `scap deploy-log`: tail, filter and print the events of the deploy logs.
struct DeployLogCommand: AsyncParsableCommand {
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

    @Argument(help: "Filter expression.")
    var expression = ""

    func run() async throws {
        var options = DeployLogOptions()
        options.latest = latest
        options.file = file
        options.verbose = verbose
        options.expression = expression
        let code = await DeployLogApplication().run(options)
        if code != ScapExitCode.success { throw ExitCode(code) }
    }
}
