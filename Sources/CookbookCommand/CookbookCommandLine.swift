import Spicerack

/// The `cookbook` command line described for swift-argument-parser, used only for what argument-parser generates
/// from a description: `--version`, `--generate-completion-script bash|zsh|fish` and the manual page
/// (`--experimental-dump-help`, read by the `generate-manual` tool). Runs are parsed by ``GlobalArguments``, which
/// follows Spicerack's argparse rules (everything after COOKBOOK goes to the cookbook).
struct CookbookCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cookbook",
        abstract: "Spicerack Cookbook Runner (Swift): list, run and build cookbook trees.",
        discussion: """
            Global options come before COOKBOOK; everything after it goes to the cookbook (or the menu). \
            `cookbook build` compiles the trees ahead of time and exits.

            Exit codes: 0 success, 1 configuration or build error, 2 bad arguments, 92 lock not acquired, \
            93 rollback failed, 94 init failed, 95/96 argument parser failures, 97 interrupted, 98 cookbook not \
            found, 99 uncaught error; others are the cookbook's.
            """,
        version: "14.0.0-swift.1")

    @Flag(name: .shortAndLong, help: "List the cookbooks and their owner team (titles too with -v).")
    var list = false

    @Option(
        name: [.customShort("c"), .customLong("config-file")],
        help: "Path to the Spicerack configuration file to load.", completion: .file(extensions: ["yaml", "yml"]))
    var configFile = SpicerackConfiguration.defaultPath

    @Flag(name: .shortAndLong, help: "Set the DRY-RUN mode, also for the cookbook.")
    var dryRun = false

    @Flag(name: .shortAndLong, help: "Verbose output, also for the cookbook.")
    var verbose = false

    @Flag(name: .customLong("no-locks"), help: "Do not acquire or check distributed locks.")
    var noLocks = false

    @Flag(help: "Show the locks held and exit.")
    var locks = false

    @Argument(help: "The dotted name of a cookbook (sre.hosts.uptime), its path, a group, or `build`.")
    var cookbook: String?

    @Argument(parsing: .captureForPassthrough, help: "The cookbook's own arguments.")
    var cookbookArguments: [String] = []

    /// Whether `arguments` ask for something this description answers (instead of a run).
    static func handles(_ arguments: [String]) -> Bool {
        guard let first = arguments.first else { return false }
        return first == "--version" || first == "--experimental-dump-help"
            || first.hasPrefix("--generate-completion-script")
    }

    func run() throws {
        print(GlobalArguments.helpText, terminator: "")
    }
}
