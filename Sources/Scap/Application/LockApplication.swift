import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The options of one `scap lock`, as the command line gives them.
public struct LockOptions: Sendable {
    /// `--all`: hold the global lock exclusively.
    public var all = false
    /// `--bg`: refused (run `scap lock --all` in tmux or screen instead).
    public var background = false
    /// `--unlock-all`: ask the holder of the global lock to release it.
    public var unlockAll = false
    /// `--yes`: with `--unlock-all`, do not ask for confirmation.
    public var assumeYes = false
    /// `-e/--environment`: read `scap/environments/ENV/` too.
    public var environment: String?
    /// `-D key:value` overrides of `scap.cfg`.
    public var defines: [String] = []
    /// `--lock-timeout`, seconds (0 to 3600).
    public var lockTimeout: Double = 600
    /// `--global-lock`: the global lock file.
    public var globalLock = DeployLock.defaultGlobalPath
    /// `--handshake-dir`: the directory of the `--unlock-all` handshake files.
    public var handshakeDirectory: String?
    /// Why the lock is taken (or forced); required.
    public var reason = ""

    /// Creates options with `scap lock`'s defaults.
    public init() {}
}

/// `scap lock` as a library: checks the arguments, loads the configuration, then holds the repository's (or the
/// global) lock until Enter, the end of input or a signal, or asks the holder of the global lock to release it.
///
/// ```swift
/// var options = LockOptions()
/// options.reason = "testing a config change"
/// let code = await LockApplication().run(options)
/// ```
public struct LockApplication: Sendable {
    /// Where the lock is taken and what it talks to.
    public var invocation: ScapInvocation
    /// Ends the hold: by default Enter or the end of the process's standard input, SIGINT or SIGTERM.
    public var releaseTrigger: @Sendable () -> LockReleaseTrigger

    /// Creates the application.
    public init(
        invocation: ScapInvocation = .current(),
        releaseTrigger: @escaping @Sendable () -> LockReleaseTrigger = {
            LockReleaseTrigger(watchingStandardInput: true, signals: [SIGINT, SIGTERM])
        }
    ) {
        self.invocation = invocation
        self.releaseTrigger = releaseTrigger
    }

    /// Runs one `scap lock`, printing errors as `scap lock: <message>` on standard error.
    /// - Returns: the exit code: 0 held and released (or force-released), 1 failed, 2 usage error.
    public func run(_ options: LockOptions) async -> Int32 {
        if let refusal = invocation.rootRefusal {
            invocation.fail("lock", refusal)
            return ScapExitCode.failure
        }
        let reason = options.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if let usage = Self.usageError(options, reason: reason) {
            invocation.fail("lock", usage)
            return ScapExitCode.usage
        }
        let root = invocation.directory
        guard let config = loadConfig(options, needsRepository: !options.all && !options.unlockAll) else {
            return ScapExitCode.failure
        }
        let handshake = GlobalUnlockHandshake(
            directory: options.handshakeDirectory, environment: invocation.environment)
        let write = invocation.writeOutput
        let console: @Sendable (String) -> Void = { line in write(line + "\n") }
        do throws(DeployError) {
            if options.unlockAll {
                let unlocker = try GlobalUnlocker(
                    reason: reason, config: config, globalLockPath: options.globalLock, handshake: handshake,
                    console: console)
                let invocation = self.invocation
                let assumeYes = options.assumeYes
                _ = try await unlocker.run { question in
                    if assumeYes { return true }
                    guard invocation.inputIsTerminal else { return nil }
                    invocation.writeOutput(question)
                    let answer = await invocation.readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
                    return answer == "y" || answer == "yes"
                }
                return ScapExitCode.success
            }
            let scope: LockSession.Scope = options.all ? .allDeploys : try .repository(config: config, root: root)
            let session = try LockSession(
                scope: scope, reason: reason, config: config, globalLockPath: options.globalLock,
                timeout: .milliseconds(Int64(options.lockTimeout * 1000)), handshake: handshake, console: console)
            _ = try await session.run(until: releaseTrigger())
            return ScapExitCode.success
        } catch {
            invocation.fail("lock", error.message)
            return error.kind == .usage ? ScapExitCode.usage : ScapExitCode.failure
        }
    }

    /// The usage problem of the options, if any.
    static func usageError(_ options: LockOptions, reason: String) -> String? {
        if options.background {
            return "--bg is not supported: run `scap lock --all REASON` in a tmux or screen session instead"
        }
        if options.all && options.unlockAll { return "--all and --unlock-all cannot be combined" }
        if options.assumeYes && !options.unlockAll { return "--yes goes with --unlock-all" }
        guard options.lockTimeout >= 0, options.lockTimeout <= 3600 else {
            return "--lock-timeout must be between 0 and 3600 seconds"
        }
        if reason.isEmpty { return "a reason is required: scap lock [--all | --unlock-all] REASON…" }
        return nil
    }

    /// The repository's configuration; without a repository (allowed for `--all` and `--unlock-all`) the system
    /// file and `-D` overrides only. `nil` after printing why it cannot be loaded.
    private func loadConfig(_ options: LockOptions, needsRepository: Bool) -> ScapConfig? {
        let configPath = invocation.path("scap/scap.cfg")
        let inRepository = FileManager.default.fileExists(atPath: configPath)
        guard inRepository || !needsRepository else {
            invocation.fail(
                "lock",
                "Deployment configuration not found: \(configPath) does not exist; run scap lock from the top of "
                    + "a deploy repository, or use --all to lock every deploy")
            return nil
        }
        var loader = ScapConfigLoader(
            root: invocation.directory, environment: inRepository ? options.environment : nil,
            overrides: options.defines)
        loader.useLocalConfig = inRepository
        do {
            return try loader.load()
        } catch {
            invocation.fail("lock", "\(error)")
            return nil
        }
    }
}
