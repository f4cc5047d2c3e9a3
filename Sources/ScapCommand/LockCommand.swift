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

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for a busy lock, 0 to 3600.")
    var lockTimeout: Double = 600

    @Option(name: .customLong("global-lock"), help: "The global lock file.")
    var globalLock = DeployLock.defaultGlobalPath

    @Option(name: .customLong("handshake-dir"), help: "The directory of the --unlock-all handshake files.")
    var handshakeDir: String?

    @Argument(help: "Why the lock is taken (or forced); required.")
    var message: [String] = []

    func run() async throws {
        if let refusal = RootRefusal.reason() {
            fail(refusal)
            throw ExitCode.failure
        }
        let reason = message.joined(separator: " ").trimmingCharacters(in: .whitespacesAndNewlines)
        if let usage = usageError(reason: reason) {
            fail(usage)
            throw ExitCode(2)
        }
        let root = FileManager.default.currentDirectoryPath
        let config = try loadConfig(root: root, needsRepository: !all && !unlockAll)
        let handshake = GlobalUnlockHandshake(directory: handshakeDir, environment: ProcessInfo.processInfo.environment)
        // Written straight to the descriptor: fflush(nil) would wait for stdin's lock, held by the Enter reader.
        let console: @Sendable (String) -> Void = { line in try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8)) }
        do {
            if unlockAll {
                let unlocker = try GlobalUnlocker(
                    reason: reason, config: config, globalLockPath: globalLock, handshake: handshake,
                    console: console)
                let assumeYes = yes
                _ = try await unlocker.run { question in
                    if assumeYes { return true }
                    guard isatty(STDIN_FILENO) == 1 else { return nil }
                    return await Self.ask(question)
                }
                return
            }
            let scope: LockSession.Scope = all ? .allDeploys : try .repository(config: config, root: root)
            let session = try LockSession(
                scope: scope, reason: reason, config: config, globalLockPath: globalLock,
                timeout: .milliseconds(Int64(lockTimeout * 1000)), handshake: handshake, console: console)
            let trigger = LockReleaseTrigger(watchingStandardInput: true, signals: [SIGINT, SIGTERM])
            _ = try await session.run(until: trigger)
        } catch {
            fail(error.message)
            throw ExitCode(error.kind == .usage ? 2 : 1)
        }
    }

    /// The usage problem of the arguments, if any.
    private func usageError(reason: String) -> String? {
        if bg {
            return "--bg is not supported: run `scap lock --all REASON` in a tmux or screen session instead"
        }
        if all && unlockAll { return "--all and --unlock-all cannot be combined" }
        if yes && !unlockAll { return "--yes goes with --unlock-all" }
        guard lockTimeout >= 0, lockTimeout <= 3600 else { return "--lock-timeout must be between 0 and 3600 seconds" }
        if reason.isEmpty { return "a reason is required: scap lock [--all | --unlock-all] REASON…" }
        return nil
    }

    /// The repository's configuration; without a repository (allowed for --all and --unlock-all) the system file
    /// and `-D` overrides only.
    private func loadConfig(root: String, needsRepository: Bool) throws -> ScapConfig {
        let configPath = (root as NSString).appendingPathComponent("scap/scap.cfg")
        let inRepository = FileManager.default.fileExists(atPath: configPath)
        guard inRepository || !needsRepository else {
            fail("Deployment configuration not found: \(configPath) does not exist; run scap lock from the top of "
                + "a deploy repository, or use --all to lock every deploy")
            throw ExitCode.failure
        }
        var loader = ScapConfigLoader(root: root, environment: inRepository ? environment : nil, overrides: defines)
        loader.useLocalConfig = inRepository
        do {
            return try loader.load()
        } catch {
            fail("\(error)")
            throw ExitCode.failure
        }
    }

    /// Prints `question` and reads a line on a thread of its own; `y`/`yes` (any case) is yes.
    private static func ask(_ question: String) async -> Bool {
        try? FileHandle.standardOutput.write(contentsOf: Data(question.utf8))
        let line = await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            Thread.detachNewThread { continuation.resume(returning: readLine()) }
        }
        let answer = line?.trimmingCharacters(in: .whitespaces).lowercased()
        return answer == "y" || answer == "yes"
    }

    private func fail(_ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data("scap lock: \(message)\n".utf8))
    }
}
