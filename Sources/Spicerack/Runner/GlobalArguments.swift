import Foundation

/// The `cookbook` command line, parsed as Spicerack's argparse does: global flags first, then COOKBOOK, then
/// everything else verbatim for the cookbook (or the menu).
public struct GlobalArguments: Sendable, Equatable {
    /// `-h/--help`.
    public var help = false
    /// `-l/--list`.
    public var list = false
    /// `-c/--config-file`.
    public var configFile = SpicerackConfiguration.defaultPath
    /// `-d/--dry-run`.
    public var dryRun = false
    /// `-v/--verbose`.
    public var verbose = false
    /// `--no-locks`.
    public var noLocks = false
    /// `--locks`: show the locks held and exit.
    public var showLocks = false
    /// `--dump-index`: print the compiled tree's index as JSON (internal, used by the build).
    public var dumpIndex = false
    /// COOKBOOK: a dotted name, a path (`sre/hosts/reboot.swift`), a group, or empty for the root menu.
    public var cookbook = ""
    /// Everything after COOKBOOK.
    public var cookbookArguments: [String] = []

    /// The usage lines.
    public static let usage = """
        usage: cookbook [-h] [-l] [-c CONFIG_FILE] [-d] [-v] [--no-locks] [--locks]
                        [COOKBOOK] ...
        """

    /// The full help text.
    public static let helpText = usage + """


        Spicerack Cookbook Runner (Swift)

        positional arguments:
          COOKBOOK              Either the dotted name of the cookbook to execute
                                (sre.hosts.downtime) or the relative path of its file
                                (sre/hosts/downtime.swift). If the selected name is a
                                group (sre.hosts) or is not set, an interactive menu is
                                shown. Each directory listed in the `cookbooks_base_dirs`
                                key of the configuration file is a cookbook tree (its
                                `cookbooks` subfolder when it has one). `cookbook build`
                                compiles the trees ahead of time and exits.
          COOKBOOK_ARGS         Collect all the remaining arguments to be passed to the
                                cookbook or menu to execute.

        options:
          -h, --help            show this help message and exit
          --version             show the version and exit (first argument only)
          --generate-completion-script bash|zsh|fish
                                print a shell completion script and exit (first
                                argument only)
          -l, --list            List all available cookbooks and their owner team, if
                                -v/--verbose is set print also their description. If a
                                COOKBOOK is also specified, it will be used as a prefix
                                filter. (default: False)
          -c CONFIG_FILE, --config-file CONFIG_FILE
                                Path to the Spicerack configuration file to load.
                                (default: /etc/spicerack/config.yaml)
          -d, --dry-run         Set the DRY-RUN mode, also for the cookbook. (default:
                                False)
          -v, --verbose         Verbose output, also for the cookbook. (default: False)
          --no-locks            Do not acquire or check distributed locks. To be used
                                only if there are issues with the lock backend.
                                (default: False)
          --locks               Show the locks held (holder, host, pid, age, time left,
                                waiting for input) and exit. (default: False)

        Exit codes: 0 success, 1 configuration or build error, 2 bad arguments, 92 lock not
        acquired, 93 rollback failed, 94 init failed, 95/96 argument parser failures, 97
        interrupted, 98 cookbook not found, 99 uncaught error; others are the cookbook's.

        See also https://wikitech.wikimedia.org/wiki/Spicerack/Cookbooks

        """

    /// Creates the defaults.
    public init() {}

    /// Parses the arguments after the program name.
    /// - Throws: ``UsageError`` with argparse's wording (exit code 2).
    public static func parse(_ arguments: [String]) throws(UsageError) -> GlobalArguments {
        var result = GlobalArguments()
        var index = 0
        func value(for option: String) throws(UsageError) -> String {
            index += 1
            guard index < arguments.count, !arguments[index].hasPrefix("-") || arguments[index] == "-" else {
                throw UsageError("argument -c/--config-file: expected one argument")
            }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-h", "--help": result.help = true
            case "-l", "--list": result.list = true
            case "-d", "--dry-run": result.dryRun = true
            case "-v", "--verbose": result.verbose = true
            case "--no-locks": result.noLocks = true
            case "--locks": result.showLocks = true
            case "--dump-index": result.dumpIndex = true
            case "-c", "--config-file": result.configFile = try value(for: argument)
            case "--":
                index += 1
                if index < arguments.count {
                    result.cookbook = arguments[index]
                    result.cookbookArguments = Array(arguments[(index + 1)...])
                }
                return result
            default:
                if argument.hasPrefix("--config-file=") {
                    result.configFile = String(argument.dropFirst("--config-file=".count))
                } else if argument.hasPrefix("-c"), argument.count > 2, !argument.hasPrefix("--") {
                    result.configFile = String(argument.dropFirst(2))
                } else if argument.hasPrefix("-"), !argument.hasPrefix("--"), argument.count > 2,
                    argument.dropFirst().allSatisfy({ "hldv".contains($0) })
                {
                    for flag in argument.dropFirst() {
                        switch flag {
                        case "h": result.help = true
                        case "l": result.list = true
                        case "d": result.dryRun = true
                        default: result.verbose = true
                        }
                    }
                } else if argument.hasPrefix("-"), argument != "-" {
                    throw UsageError("unrecognized arguments: \(arguments[index...].joined(separator: " "))")
                } else {
                    result.cookbook = argument
                    result.cookbookArguments = Array(arguments[(index + 1)...])
                    return result
                }
            }
            index += 1
        }
        return result
    }

    /// Parses the command line for a `cookbook` process: on a usage error prints it and returns exit code 2.
    public static func parseOrReport(_ arguments: [String]) -> Result<GlobalArguments, ExitStatus> {
        do {
            return .success(try parse(arguments))
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            return .failure(ExitStatus(code: ReservedExitCode.usage))
        }
    }

    /// The dotted name of COOKBOOK: `sre/hosts/reboot.swift` → `sre.hosts.reboot`; a dotted name is kept.
    public var cookbookName: String {
        var name = cookbook
        if name.hasSuffix(".swift") { name.removeLast(".swift".count) }
        if name.hasSuffix("/") { name.removeLast() }
        return name.replacingOccurrences(of: "/", with: ".")
    }
}

/// A bad `cookbook` command line: printed after the usage as `cookbook: error: <message>`, exit code 2.
public struct UsageError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong.
    public var message: String

    /// Creates the error.
    public init(_ message: String) {
        self.message = message
    }

    /// The usage lines and `cookbook: error: <message>`.
    public var description: String { "\(GlobalArguments.usage)\ncookbook: error: \(message)" }
}

/// An exit code as an error, to end a command early.
public struct ExitStatus: Error, Sendable, Equatable {
    /// The exit code.
    public var code: Int32
}
