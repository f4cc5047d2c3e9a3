import ArgumentParser
import CuminNativeSSH
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

            With SPIDERPIG_IO_KEY set in the environment, every output line is a JSON record carrying that key and \
            prompts are answered on standard input (the machine-readable mode for a supervisor; see the README). \
            Ctrl-C stops the running stage and offers the rollback; a second Ctrl-C exits at once.

            Exit status: 0 deployed, 1 failed or aborted, 2 usage error, 130 interrupted.
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

    @Flag(name: [.short, .customLong("init")], help: "Only tag the revision and write DEPLOY_HEAD; touch no target.")
    var initOnly = false

    @Flag(name: .customLong("dry-run"), help: "Show the config_deploy changes per target (diff -u); change nothing.")
    var dryRun = false

    @OptionGroup var deploying: DeployingOptions

    @OptionGroup var ssh: SSHTransportOptions

    @Argument(help: "The log message.")
    var message: [String] = []

    func run() async throws {
        var options = DeployOptions()
        options.revision = rev
        options.stages = stages
        options.limitHosts = limitHosts
        options.force = force
        options.serviceRestartOnly = serviceRestart
        options.initOnly = initOnly
        options.dryRun = dryRun
        options.environment = deploying.environment
        options.defines = deploying.defines
        options.sshConfig = deploying.sshConfig
        options.transport = ssh.transport
        options.persistConnections = ssh.persistConnections
        options.lockTimeout = deploying.lockTimeout
        options.globalLock = deploying.globalLock
        options.message = message.joined(separator: " ")
        NativeSSH.register()
        let code = await DeployApplication(handlesSignals: true).run(options)
        if code != ScapExitCode.success { throw ExitCode(code) }
    }
}
