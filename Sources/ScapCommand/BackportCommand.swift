import ArgumentParser
import CuminNativeSSH
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

    @OptionGroup var deploying: DeployingOptions

    @OptionGroup var ssh: SSHTransportOptions

    @Argument(help: "The changes to backport.")
    var changes: [String] = []

    func run() async throws {
        var options = BackportOptions()
        options.changes = changes
        options.list = list
        options.yes = yes
        options.stopBeforeSync = stopBeforeSync
        options.revert = revert
        options.environment = deploying.environment
        options.defines = deploying.defines
        options.sshConfig = deploying.sshConfig
        options.transport = ssh.transport
        options.persistConnections = ssh.persistConnections
        NativeSSH.register()
        options.lockTimeout = deploying.lockTimeout
        options.globalLock = deploying.globalLock
        let code = await BackportApplication(handlesSignals: true).run(options)
        if code != ScapExitCode.success { throw ExitCode(code) }
    }
}
