import ArgumentParser
import Foundation
import Scap

/// `scap lock`: hold a deploy lock (the repository's, or the global one) until Enter, or force-release the global
/// lock held by another `scap lock --all`.
struct LockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Hold the deploy lock of this repository (or of all deploys) until Enter is pressed.",
        discussion: """
            `scap lock REASON` is run from the top of a deploy repository (scap/scap.cfg): it takes the \
            repository's lock_file as a deploy does, so deploys of it wait and are told who holds it and why. \
            `--all` holds the global lock instead, which blocks every deploy on this host. Enter, the end of \
            input, SIGINT or SIGTERM release the lock. Both are announced (tcpircbot_host).

            `--unlock-all REASON` asks the `scap lock --all` holding the global lock to release it, after a \
            confirmation (`--yes` skips it), and announces it. The request goes through two files in the \
            handshake directory (--handshake-dir, else $SCAP_LOCK_HANDSHAKE_DIR, else /tmp).

            Exit status: 0 held and released (or force-released), 1 failed (busy lock, no holder, not \
            confirmed), 2 usage error.
            """
    )

    @Flag(name: .long, help: "Hold the global lock exclusively: no deploy on this host can start.")
    var all = false

    @Flag(name: .long, help: "Not supported: run `scap lock --all` in tmux or screen instead.")
    var bg = false

    @Flag(name: .customLong("unlock-all"), help: "Ask the holder of the global lock (scap lock --all) to release it.")
    var unlockAll = false

    @Flag(name: .long, help: "With --unlock-all: do not ask for confirmation.")
    var yes = false

    @Option(name: [.short, .long], help: "Read scap/environments/ENV/ too.")
    var environment: String?

    @Option(name: .customShort("D"), help: "Override a scap.cfg key, as key:value (repeatable).")
    var defines: [String] = []

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for a busy lock, 0 to 3600 (default 600).")
    var lockTimeout: Double = 600

    @Option(name: .customLong("global-lock"), help: "The global lock file.")
    var globalLock = DeployLock.defaultGlobalPath

    @Option(name: .customLong("handshake-dir"), help: "The directory of the --unlock-all handshake files.")
    var handshakeDir: String?

    @Argument(help: "Why the lock is taken (or forced); required.")
    var message: [String] = []

    func run() async throws {
        var options = LockOptions()
        options.all = all
        options.background = bg
        options.unlockAll = unlockAll
        options.assumeYes = yes
        options.environment = environment
        options.defines = defines
        options.lockTimeout = lockTimeout
        options.globalLock = globalLock
        options.handshakeDirectory = handshakeDir
        options.reason = message.joined(separator: " ")
        // Standard output is written straight to its descriptor (ScapInvocation.current()): fflush(nil) would
        // wait for stdin's lock, held by the thread waiting for Enter.
        let code = await LockApplication().run(options)
        if code != ScapExitCode.success { throw ExitCode(code) }
    }
}
