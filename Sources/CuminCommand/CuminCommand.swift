import ArgumentParser
import Cumin
import CuminNativeSSH

import Foundation

/// `cumin [options] HOSTS_QUERY [COMMAND ...]`: parses cumin's flags and hands over to ``CuminApplication``.
@main
struct CuminCommand: AsyncParsableCommand {
    static let version = "6.0.0-swift.1"

    static let configuration = CommandConfiguration(
        commandName: "cumin",
        abstract: "Cumin CLI - Automation and orchestration framework, in Swift",
        discussion: """
            Exit codes: 0 success (or no hosts, or dry run); 1 completed with failures above the threshold; \
            2 below the threshold, global timeout, usage or configuration error; 98 interrupted (Ctrl-C, or "q" \
            at the confirmation); 99 error during execution (invalid query, no TTY without --force).
            """,
        version: version)

    @Option(name: [.short, .long], help: "configuration file.")
    var config = "/etc/cumin/config.yaml"

    @Option(name: .customLong("global-timeout"), help: "Global timeout in seconds for the whole execution.")
    var globalTimeout: Double?

    @Option(name: [.short, .long], help: "Timeout in seconds for the execution of every command in each host.")
    var timeout: Double?

    @Option(name: [.short, .long], help: "Execution mode, required with multiple COMMANDS.")
    var mode: ExecutionOptions.Mode?

    @Option(
        name: [.customShort("p"), .customLong("success-percentage")],
        help: ArgumentHelp("Percentage threshold to consider an execution unit successful (0-100).", valueName: "PCT"))
    var successPercentage = 100

    @Option(
        name: [.short, .customLong("batch-size")], help: "Sliding batch size: an integer (10) or a percentage (50%).")
    var batchSize: String?

    @Option(
        name: [.customShort("s"), .customLong("batch-sleep")], help: "Seconds to wait before starting the next host.")
    var batchSleep: Double?

    @Flag(
        name: [.customShort("x"), .customLong("ignore-exit-codes")],
        help: "USE WITH CAUTION! Treat any exit code as success.")
    var ignoreExitCodes = false

    @Option(name: [.short, .long], help: "Output format for a single command.")
    var output: CuminInvocation.OutputFormat?

    @Flag(name: [.short, .customLong("no-colors")], help: "Disable colored output (same as --color never).")
    var noColors = false

    @Option(
        name: .customLong("color"),
        help: ArgumentHelp(
            "When to color the output: auto (on a terminal, unless NO_COLOR is set), always or never.",
            valueName: "WHEN"))
    var color: Colors.Choice = .auto

    @Flag(help: "USE WITH CAUTION! Run without confirming the number of affected hosts.")
    var force = false

    @Option(help: "Override the default backend of the configuration (direct, knownhosts).")
    var backend: String?

    @Option(help: "Override the transport of the configuration (clustershell, native, noop).")
    var transport: String?

    @Flag(name: .customLong("dry-run"), help: "Only print the matching hosts. Implied when no COMMAND is given.")
    var dryRun = false

    @Flag(name: .customLong("no-progress"), help: "Do not show progress.")
    var noProgress = false

    @Flag(
        inversion: .prefixedNo,
        help: """
            Run all the commands of a host over one connection, in the --connection-reuse mode (default: on with \
            several commands, off with one).
            """)
    var reuseConnections: Bool?

    @Option(
        name: .customLong("connection-reuse"),
        help: ArgumentHelp(
            """
            How commands to one host share a connection: session (one remote shell per host runs every command), \
            multiplexed (OpenSSH ControlMaster) or none (one ssh per command). (default: session when connections \
            are reused, else none)
            """, valueName: "MODE"))
    var connectionReuse: ConnectionReuse?

    @Flag(name: [.short, .long], help: "Log at DEBUG level to the log file.")
    var debug = false

    @Flag(help: "Log at TRACE level to the log file.")
    var trace = false

    @Flag(
        name: .customLong("close-connections"),
        help: "Close this user's persistent SSH connections (persist_connections, --connection-reuse persistent) and exit.")
    var closeConnections = false

    @Argument(help: ArgumentHelp("Hosts selection query", valueName: "HOSTS_QUERY"))
    var hostsQuery: String

    @Argument(help: ArgumentHelp("Commands to execute. Without any, --dry-run is set.", valueName: "COMMAND"))
    var commands: [String] = []

    static func main() async {
        // An ssh session that dies before the next command is written to it fails that host (EPIPE), not the run.
        signal(SIGPIPE, SIG_IGN)
        // Ctrl-C before the run starts (e.g. at the confirmation prompt) exits 98 as cumin does; during the run
        // the application cancels the execution instead, so that every ssh child is killed and reported.
        signal(SIGINT) { _ in
            let message = Array("\nExecution interrupted by Ctrl+c/SIGINT/Aborted\n".utf8)
            _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            _exit(98)
        }
        if CommandLine.arguments.dropFirst().contains("--close-connections") {
            let closed = await PersistentConnections.close()
            print(closed.isEmpty ? "No persistent SSH connections open" : "Closed \(closed.count) persistent SSH connections: \(closed)")
            Foundation.exit(0)
        }
        do {
            let command = try parseAsRoot()
            guard let cumin = command as? CuminCommand else {
                throw CleanExit.helpRequest(command)
            }
            let code = await cumin.makeApplicationRun()
            Foundation.exit(code)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            // argparse's convention, which cumin follows: usage errors exit with 2.
            FileHandleStandardError.write(fullMessage(for: error) + "\n")
            Foundation.exit(2)
        }
    }

    func makeApplicationRun() async -> Int32 {
        var invocation = CuminInvocation()
        invocation.configPath = config
        invocation.globalTimeout = globalTimeout
        invocation.timeout = timeout
        invocation.mode = mode
        invocation.successPercentage = successPercentage
        if let batchSize {
            do throws(ExecutionError) {
                invocation.batchSize = try BatchSize(parsing: batchSize)
            } catch {
                FileHandleStandardError.write("cumin: error: argument -b/--batch-size: \(error.message)\n")
                return 2
            }
        }
        invocation.batchSleep = batchSleep
        invocation.ignoreExitCodes = ignoreExitCodes
        invocation.output = output
        invocation.noColors = noColors
        invocation.color = color
        invocation.force = force
        invocation.backend = backend
        invocation.transport = transport
        invocation.dryRun = dryRun
        invocation.noProgress = noProgress
        invocation.reuseConnections = reuseConnections
        invocation.connectionReuse = connectionReuse
        invocation.debug = debug
        invocation.trace = trace
        invocation.hostsQuery = hostsQuery
        invocation.commands = commands
        invocation.commandLine = Array(CommandLine.arguments.dropFirst())
        NativeSSH.register()
        return await CuminApplication().run(invocation)
    }
}

extension ExecutionOptions.Mode: ExpressibleByArgument {}
extension CuminInvocation.OutputFormat: ExpressibleByArgument {}
extension ConnectionReuse: ExpressibleByArgument {}
extension Colors.Choice: ExpressibleByArgument {}

/// Unbuffered writes to standard error.
enum FileHandleStandardError {
    static func write(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }
}
