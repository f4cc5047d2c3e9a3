import ArgumentParser
import Foundation
import Scap

/// `scap deploy`: deploy the repository in the current directory to its server groups, canary first.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy the git repository in the current directory to its targets.",
        discussion: """
            Run from the top of a deploy repository holding scap/scap.cfg. The revision is tagged \
            scap/sync/YYYY-MM-DD/NNNN, then fetched and promoted group by group (server_groups order); between \
            groups you are asked to continue. On a failure you are offered a rollback of every deployed group. \
            Events go to scap/log/<tag>.log (see `scap deploy-log`).

            Exit status: 0 deployed, 1 failed or aborted, 2 usage error.
            """
    )

    @Option(name: [.short, .long], help: "The revision to deploy (default: git_rev, else HEAD).")
    var rev: String?

    @Option(
        name: [.short, .long],
        help: "Comma-separated stages to run (default: fetch,config_deploy,promote; config_deploy only when enabled).")
    var stages: String?

    @Option(name: [.short, .customLong("limit-hosts")], help: "Only these hosts: all, a glob, ~REGEX, !negated.")
    var limitHosts = "all"

    @Flag(name: [.short, .long], help: "Fetch and promote even when the revision is already deployed.")
    var force = false

    @Flag(name: .customLong("service-restart"), help: "Only restart the services (service_name).")
    var serviceRestart = false

    @Flag(name: .customLong("dry-run"), help: "Show the config_deploy changes per target (diff -u); change nothing.")
    var dryRun = false

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

    @Argument(help: "The log message.")
    var message: [String] = []

    func run() async throws {
        let root = FileManager.default.currentDirectoryPath
        let configPath = (root as NSString).appendingPathComponent("scap/scap.cfg")
        guard FileManager.default.fileExists(atPath: configPath) else {
            fail("Deployment configuration not found: \(configPath) does not exist; run scap deploy from the top of "
                + "a deploy repository")
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
            throw ExitCode.failure
        }
        var logMessage = message.joined(separator: " ")
        if logMessage.isEmpty, isatty(STDIN_FILENO) == 1 {
            print("Log message (press enter for none): ", terminator: "")
            fflush(nil)
            logMessage = readLine()?.trimmingCharacters(in: .whitespaces) ?? ""
        }
        var request = DeployRequest(
            root: root, revision: rev, limitHosts: limitHosts, force: force, serviceRestartOnly: serviceRestart,
            message: logMessage, globalLockPath: globalLock,
            lockTimeout: .milliseconds(Int64(lockTimeout * 1000)), dryRun: dryRun)
        do {
            if let stages { request.stages = try DeployRequest.parseStages(stages) }
        } catch {
            fail(error.message)
            throw ExitCode(2)
        }
        let runner = TargetStageRunner.forDeploy(config: config, sshOptions: sshConfig.map { ["-F \($0)"] } ?? [])
        let deployment = Deployment(
            request: request, config: config, executor: runner, prompter: TerminalPrompter(),
            console: { line in
                print(line)
                fflush(nil)
            })
        let outcome: DeployOutcome
        do {
            outcome = try await deployment.run()
        } catch {
            fail(error.message)
            throw ExitCode(error.kind == .usage ? 2 : 1)
        }
        if !outcome.succeeded { throw ExitCode.failure }
    }

    private func fail(_ message: String) {
        FileHandle.standardError.write(Data("scap deploy: \(message)\n".utf8))
    }
}
