import Dispatch
import Foundation
import Logging
import OpsSupport

/// The `main` of a compiled cookbook tree: `cookbook` execs it with the operator's command line.
///
/// The generated `main.swift` of a tree is one call: `await CookbookMain.main(tree: CookbookTree(...))`.
public enum CookbookMain {
    /// Parses the command line, then lists, shows the menu or runs a cookbook, and exits with its code.
    public static func main(tree: CookbookTree, arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        let code = await run(tree: tree, arguments: arguments)
        flushStandardOutput()
        exit(code)
    }

    /// Does what ``main(tree:arguments:)`` does and returns the exit code.
    public static func run(tree: CookbookTree, arguments: [String]) async -> Int32 {
        let global: GlobalArguments
        switch GlobalArguments.parseOrReport(arguments) {
        case .success(let parsed): global = parsed
        case .failure(let status): return status.code
        }
        if global.dumpIndex {
            guard let data = try? tree.index.encoded() else { return 1 }
            FileHandle.standardOutput.write(data)
            return 0
        }
        if global.help {
            print(GlobalArguments.helpText, terminator: "")
            return 0
        }
        for problem in tree.problems {
            printError("Failed to compile \(problem) (left out of the tree)")
        }
        let configuration: SpicerackConfiguration
        do {
            configuration = try SpicerackConfiguration.load(global.configFile)
        } catch {
            printError(error.description)
            return 1
        }
        let catalog = CookbookCatalog(index: tree.index)
        let name = global.cookbookName
        if global.list {
            print(catalog.listing(prefix: name, verbose: global.verbose), terminator: "")
            return 0
        }
        let isGroup = catalog.groups[name] != nil
        guard isGroup || tree.entries[name] != nil else {
            printError("Unable to find cookbook \(name)")
            return ReservedExitCode.notFound
        }
        let logging: RunLogging
        do {
            let logs = try configuration.requireLogsBaseDirectory()
            let irc = configuration.ircHost.flatMap { host in configuration.ircPort.map { (host: host, port: $0) } }
            logging = try RunLogging(
                logsBaseDirectory: logs, name: name, group: tree.entries[name]?.group, user: getUsernameForLogs(), hostname: shortHostname(),
                dryRun: global.dryRun, irc: irc)
        } catch {
            printError(error.description)
            return 1
        }
        logging.bootstrap()
        let options = CookbookSession.Options(dryRun: global.dryRun, verbose: global.verbose, noLocks: global.noLocks)
        let locks: Locks
        do {
            locks = try LockConfiguration.makeLocks(
                configuration: configuration, dryRun: global.dryRun, noLocks: global.noLocks,
                logger: logging.logger(label: "spicerack.locking"), username: getUsernameForLogs())
        } catch {
            printError("\(error)")
            return 1
        }
        let session = CookbookSession(
            tree: tree, configuration: configuration, options: options, logging: logging,
            locking: ManagedCookbookLocking(locks: locks), locks: locks)
        let input = MenuInput()
        let signals = InterruptHandler.install(
            session: session, input: input, logger: logging.logger(label: "spicerack.cookbook"))
        defer { signals.cancel() }

        if isGroup {
            let menu = CookbookMenu(
                session: session, input: input, isTTY: isatty(1) == 1,
                statusFile: (configuration.cacheDirectory as NSString).appendingPathComponent("menu-status.json"))
            return await menu.run(group: name, arguments: global.cookbookArguments)
        }
        guard let entry = tree.entries[name] else { return ReservedExitCode.notFound }
        let cookbookArguments = global.cookbookArguments
        let task = Task { await session.run(entry: entry, arguments: cookbookArguments) }
        session.interruption.begin(cancel: { task.cancel() })
        let code = await task.value
        session.interruption.end()
        return code
    }

    private static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// The user written in log lines: Spicerack's rule, `-` when unknown.
func getUsernameForLogs(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    if let sudo = environment["SUDO_USER"], !sudo.isEmpty, sudo != "root" { return sudo }
    if let user = environment["USER"], !user.isEmpty { return user }
    return "-"
}

/// This host's short name.
func shortHostname() -> String {
    ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
}

/// Flushes C's stdout buffer (what `print` wrote) before exiting.
func flushStandardOutput() {
    fflush(nil)
}
