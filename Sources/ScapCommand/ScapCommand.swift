import ArgumentParser
import Foundation

/// `scap`: Wikimedia's deployment tool.
@main
struct ScapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scap",
        abstract: "Deploy git repositories to groups of targets.",
        version: "0.1.0-swift (Scap3 compatible)",
        subcommands: [DeployCommand.self, BackportCommand.self, DeployLogCommand.self, LockCommand.self]
    )

    /// Runs the command; `scap deploy` and `scap lock` usage errors exit 2 (argument-parser's default is 64), and a
    /// failure rings the bell.
    static func main() async {
        // A target's ssh that dies before its next stage is sent must fail that host, not end the deploy: broken
        // pipes are errors (EPIPE), not a signal. Console writes ignore a closed stdout and the deploy goes on.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            ringTheBell(code)
            if code == .validationFailure, ["deploy", "lock", "backport"].contains(CommandLine.arguments.dropFirst().first) {
                let message = fullMessage(for: error)
                if !message.isEmpty { try? FileHandle.standardError.write(contentsOf: Data((message + "\n").utf8)) }
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }

    /// Rings the terminal bell on a failure, as scap does, so an operator in another window notices; only when
    /// stderr is a terminal.
    private static func ringTheBell(_ code: ExitCode) {
        guard code != .success, isatty(STDERR_FILENO) == 1 else { return }
        try? FileHandle.standardError.write(contentsOf: Data("\u{07}".utf8))
    }
}
