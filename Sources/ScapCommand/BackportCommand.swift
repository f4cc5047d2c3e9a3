import ArgumentParser
import Foundation
import Scap

/// `scap backport`: merge changes and sync them through test servers, canaries and production.
struct BackportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backport",
        abstract: "Merge changes and sync them: test servers, smoke tests, canaries, error-rate gate, production.",
        discussion: """
            Run from the top of a deploy repository holding scap/scap.cfg. CHANGE is a change number (Gerrit's \
            refs/changes layout, latest patchset), a branch of the upstream remote or a commit (change_source: \
            git), or a Gerrit change (change_source: gerrit). The changes are checked all at once, shown, and \
            after "Backport the changes?" merged and synced: the testservers group, its smoke tests and "Continue \
            with deployment?", the canary group, canary_wait_time and the error-rate gate, every other group and \
            the gate again. A failed step offers retry, ignore, roll back or exit; without a user it rolls back.

            With SPIDERPIG_IO_KEY set, every output line is a JSON record carrying that key and prompts are \
            answered on standard input (see docs/scap-backport.md).

            Exit status: 0 synced (or --list, --stop-before-sync), 1 failed, declined or rolled back, 2 usage \
            error, 130 interrupted.
            """
    )

    @Flag(name: .long, help: "List the open changes of the deploy branch and exit.")
    var list = false

    @Flag(name: [.short, .long], help: "Do not ask \"Backport the changes?\".")
    var yes = false

    @Flag(name: .customLong("stop-before-sync"), help: "Merge the changes, then stop before syncing.")
    var stopBeforeSync = false

    @Flag(name: .long, help: "Revert the changes (a reason is asked), then backport the reverts.")
    var revert = false

    @Option(name: [.short, .long], help: "Read scap/environments/ENV/ too.")
    var environment: String?

    @Option(name: .customShort("D"), help: "Override a scap.cfg key, as key:value (repeatable).")
    var defines: [String] = []

    @Option(name: .customLong("ssh-config"), help: "An ssh_config file for the connections to the targets.")
    var sshConfig: String?

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for a busy lock (default 600).")
    var lockTimeout: Double = 600

    @Option(name: .customLong("global-lock"), help: "The global lock file.")
    var globalLock = DeployLock.defaultGlobalPath

    @Argument(help: "The changes to backport.")
    var changes: [String] = []

    func run() async throws {
        if let refusal = RootRefusal.reason() {
            fail(refusal)
            throw ExitCode.failure
        }
        let root = FileManager.default.currentDirectoryPath
        let configPath = (root as NSString).appendingPathComponent("scap/scap.cfg")
        guard FileManager.default.fileExists(atPath: configPath) else {
            fail("Deployment configuration not found: \(configPath) does not exist; run scap backport from the top "
                + "of a deploy repository")
            throw ExitCode.failure
        }
        guard lockTimeout >= 0, lockTimeout <= 3600 else {
            fail("--lock-timeout must be between 0 and 3600 seconds")
            throw ExitCode(2)
        }
        let config: ScapConfig
        do {
            config = try ScapConfigLoader(root: root, environment: environment, overrides: defines).load()
        } catch {
            fail("\(error)")
            throw ExitCode(2)
        }
        let io = SpiderPigIO.fromEnvironment()
        let realUser = ProcessInfo.processInfo.environment[SpiderPigIO.userVariable].flatMap { $0.isEmpty ? nil : $0 }
        var options = BackportOptions(root: root, changes: changes, user: io == nil ? nil : realUser)
        options.list = list
        options.yes = yes
        options.stopBeforeSync = stopBeforeSync
        options.revert = revert
        options.globalLockPath = globalLock
        options.lockTimeout = .milliseconds(Int64(lockTimeout * 1000))

        let console: BackportConsole
        let prompter: any BackportPrompter
        let progress: DeployProgress
        if let io {
            console = BackportConsole(line: { io.line($0, sensitive: $1) }, status: { io.status($0) })
            prompter = SpiderPigBackportPrompter(io: io)
            progress = DeployProgress { io.progress($0) }
        } else {
            let terminal = TerminalProgressLine()
            console = BackportConsole(line: { text, _ in terminal.print(text) })
            prompter = TerminalBackportPrompter()
            progress = DeployProgress(report: terminal.show)
        }
        var runner = TargetStageRunner.forDeploy(config: config, sshOptions: sshConfig.map { ["-F \($0)"] } ?? [])
        runner.observer = progress
        let interruption = DeployInterruption()
        let signals = SignalRouter([SIGINT, SIGTERM]) { number in
            if interruption.interrupt() {
                let name = number == SIGINT ? "SIGINT" : "SIGTERM"
                console.print("Interrupted (\(name)): stopping the running step; press Ctrl-C again to exit at once")
            } else {
                console.print("Interrupted again: exiting without waiting")
                Foundation.exit(130)
            }
        }
        defer { signals.stop() }
        let application = BackportApplication(
            options: options, config: config, executor: runner, prompter: prompter, console: console,
            progress: progress, interruption: interruption)
        let result: BackportResult
        do {
            result = try await application.run()
        } catch {
            fail(error.message)
            throw ExitCode(error.kind == .usage ? 2 : 1)
        }
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }

    private func fail(_ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data("scap backport: \(message)\n".utf8))
    }
}
