import Foundation
import Logging
import Synchronization
import Wmflib

/// Runs cookbooks of a tree with Spicerack's lifecycle: arguments, validation, lock, START, run, rollback, END.
///
/// One session per `cookbook` process; the menu and nested `runCookbook` calls run through the same session.
public final class CookbookSession: Sendable {
    /// The flags that shape every run.
    public struct Options: Sendable {
        /// `-d/--dry-run`.
        public var dryRun: Bool
        /// `-v/--verbose`.
        public var verbose: Bool
        /// `--no-locks`.
        public var noLocks: Bool

        /// Creates options.
        public init(dryRun: Bool = false, verbose: Bool = false, noLocks: Bool = false) {
            self.dryRun = dryRun
            self.verbose = verbose
            self.noLocks = noLocks
        }
    }

    /// The compiled tree.
    public let tree: CookbookTree
    /// The configuration.
    public let configuration: SpicerackConfiguration
    /// The flags.
    public let options: Options
    /// The session's logging.
    public let logging: RunLogging
    /// The session's locking of runs.
    public let locking: any CookbookLocking
    /// The lock manager handed to cookbooks for custom locks (`spicerack.lock()`).
    public let locks: Locks
    /// Where help text and other plain output go (stdout).
    public let standardOutput: @Sendable (String) -> Void
    /// Set when Ctrl+C interrupted the current run.
    public let interruption = Interruption()

    private let runnerLogger: Logger
    private let heldLocks = Mutex<[Int: any CookbookLockHandle]>([:])
    private let nextLockID = Atomic<Int>(0)
    private let environment: [String: String]
    private let makeTerminal: @Sendable (CookbookSession) -> any Terminal

    /// Creates a session.
    public init(
        tree: CookbookTree, configuration: SpicerackConfiguration, options: Options, logging: RunLogging,
        locking: any CookbookLocking, locks: Locks? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        terminal: (@Sendable (CookbookSession) -> any Terminal)? = nil,
        standardOutput: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }
    ) {
        self.tree = tree
        self.configuration = configuration
        self.options = options
        self.logging = logging
        self.locking = locking
        self.locks = locks ?? Locks(backend: nil, logger: Logger(label: "spicerack.locking"))
        self.environment = environment
        self.standardOutput = standardOutput
        self.makeTerminal = terminal ?? { session in LockAwareTerminal(base: StandardTerminal(), session: session) }
        self.runnerLogger = logging.logger(label: "spicerack.cookbook")
    }

    /// The operator.
    public var username: String { getUsername(environment: environment) }

    /// Runs one cookbook by name and returns its exit code; never throws.
    public func run(name: String, arguments: [String]) async -> Int32 {
        guard let entry = tree.entries[name] else {
            runnerLogger.error("Unable to find cookbook \(name)")
            return ReservedExitCode.notFound
        }
        return await run(entry: entry, arguments: arguments)
    }

    /// Runs one cookbook and returns its exit code; never throws.
    public func run(entry: CookbookEntry, arguments: [String]) async -> Int32 {
        await runReporting(entry: entry, arguments: arguments).exitCode
    }

    /// Runs one cookbook and returns its exit code and status word (PASS, FAIL or ERROR); never throws.
    public func runReporting(entry: CookbookEntry, arguments: [String]) async -> (exitCode: Int32, status: String) {
        let logger = runnerLogger
        logger.debug("Executing cookbook \(entry.name) with args: \(pythonList(arguments))")
        let spicerack = makeSpicerack(for: entry)
        let started = Date()

        // 1–2. Arguments and the validation phase.
        let runner: any CookbookRunner
        do {
            runner = try await entry.prepare(arguments, tree.ownerTeam(of: entry), spicerack)
        } catch {
            switch error {
            case .help(let text):
                standardOutput(text + "\n")
                return (0, "PASS")
            case .usage(let text):
                FileHandle.standardError.write(Data((text + "\n").utf8))
                return (ReservedExitCode.usage, "FAIL")
            case .initSuccess(let message):
                if !message.isEmpty { logger.info("\(message)") }
                return (0, "PASS")
            case .initFailed(let underlying):
                logger.error("Exception raised while initializing the Cookbook \(entry.name):\n\(describe(underlying))")
                return (ReservedExitCode.initFailed, "ERROR")
            }
        }

        // 3. The description and the lock, before START so that waits stay out of the SAL.
        let description = runner.runtimeDescription
        let skipStartSAL = runner.skipStartSAL
        let lockArguments = runner.lockArguments
        let lockKey = lockArguments.suffix.isEmpty ? entry.name : "\(entry.name):\(lockArguments.suffix)"
        let lock: any CookbookLockHandle
        do {
            lock = try await locking.acquireCookbookLock(
                key: lockKey, concurrency: lockArguments.concurrency, ttl: lockArguments.ttl,
                label: ([entry.name] + arguments).joined(separator: " "))
        } catch {
            logger.error("Unable to run cookbook \(entry.name): \(error)")
            record(entry, arguments, spicerack, started, ReservedExitCode.lockUnavailable, "FAIL", description)
            return (ReservedExitCode.lockUnavailable, "FAIL")
        }
        let lockID = nextLockID.add(1, ordering: .relaxed).newValue
        heldLocks.withLock { $0[lockID] = lock }

        // 4. START.
        let suffix = description.isEmpty ? "" : " \(description)"
        if skipStartSAL {
            logger.info("START - Cookbook \(entry.name)\(suffix)")
        } else {
            spicerack.salLogger.info("START - Cookbook \(entry.name)\(suffix)")
        }

        // 5. Run.
        var (code, status) = await execute(runner, entry: entry, logger: logger)

        // 6. Rollback on failure.
        if code != 0 {
            // A fresh task, so that a run cancelled by Ctrl+C can still roll back.
            let rollback = Task { () async -> String? in
                do {
                    try await runner.rollback()
                    return nil
                } catch {
                    return describe(error)
                }
            }
            if let rollbackError = await rollback.value {
                logger.error(
                    "Exception raised while executing cookbook \(entry.name) rollback() (exit_code=\(code)):\n\(rollbackError)"
                )
                code = ReservedExitCode.rollbackFailed
                status = "FAIL"
            }
        }

        // 7. Release, stats, END.
        heldLocks.withLock { _ = $0.removeValue(forKey: lockID) }
        await lock.release()
        let duration = Date().timeIntervalSince(started)
        logger.debug("__COOKBOOK_STATS__:name=\(entry.name),exit_code=\(code),duration=\(String(format: "%.3f", duration))")
        let word = skipStartSAL ? "DONE" : "END"
        spicerack.salLogger.info("\(word) (\(status)) - Cookbook \(entry.name) (exit_code=\(code))\(suffix)")
        record(entry, arguments, spicerack, started, code, status, description)
        return (code, status)
    }

    /// Runs the runner, mapping results and errors to an exit code and a status word.
    private func execute(_ runner: any CookbookRunner, entry: CookbookEntry, logger: Logger) async -> (Int32, String) {
        do {
            let result = try await runner.run() ?? 0
            if interruption.isInterrupted { return (ReservedExitCode.interrupted, "ERROR") }
            return (result, result == 0 ? "PASS" : "FAIL")
        } catch let exit as CookbookExit {
            if exit.code == 0 {
                logger.info("CookbookExit(0) raised while executing cookbook \(entry.name), assuming success")
                return (0, "PASS")
            }
            logger.error("CookbookExit(\(exit.code)) raised while executing cookbook \(entry.name)")
            return (exit.code, "ERROR")
        } catch {
            if interruption.isInterrupted || error is CancellationError {
                return (ReservedExitCode.interrupted, "ERROR")
            }
            logger.error("Exception raised while executing cookbook \(entry.name):\n\(describe(error))")
            return (ReservedExitCode.uncaughtError, "FAIL")
        }
    }

    /// Builds the ``Spicerack`` a cookbook sees.
    func makeSpicerack(for entry: CookbookEntry) -> Spicerack {
        let logger = logging.logger(label: "cookbooks.\(entry.name)")
        let leaf = entry.name.split(separator: ".").last.map(String.init) ?? entry.name
        let notify: (@Sendable () -> Void)?
        if configuration.userInputNotificationsEnabled && logging.ircEnabled {
            let logging = self.logging
            notify = { logging.notifyIRC("\(leaf) (PID \(getpid())) is awaiting input") }
        } else {
            notify = nil
        }
        let interactive = Interactive(terminal: makeTerminal(self), logger: logger, onAwaitingInput: notify)
        var services = SpicerackServices(runCookbook: { [weak self] name, arguments in
            guard let self else { return ReservedExitCode.notFound }
            return await self.run(name: name, arguments: arguments)
        })
        services.locks = locks
        return Spicerack(
            dryRun: options.dryRun, verbose: options.verbose, configuration: configuration, logger: logger,
            ircLogger: logging.ircLogger(), salLogger: logging.salLogger(), interactive: interactive,
            locksDisabled: options.noLocks, environment: environment, services: services)
    }

    /// Marks every lock this session holds as waiting for the operator (or not).
    func setWaitingForInput(_ waiting: Bool) {
        for handle in heldLocks.withLock({ Array($0.values) }) { handle.setWaitingForInput(waiting) }
    }

    private func record(
        _ entry: CookbookEntry, _ arguments: [String], _ spicerack: Spicerack, _ started: Date, _ code: Int32,
        _ status: String, _ description: String
    ) {
        guard let logs = configuration.logsBaseDirectory else { return }
        let now = Date()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let record = RunRecord(
            name: entry.name, arguments: arguments, user: spicerack.username, host: spicerack.currentHostname,
            pid: getpid(), dryRun: options.dryRun, start: formatter.string(from: started), end: formatter.string(from: now),
            duration: (now.timeIntervalSince(started) * 1000).rounded() / 1000, exitCode: code, status: status,
            description: description, hosts: spicerack.touchedHosts)
        do {
            try record.append(to: (logs as NSString).appendingPathComponent("cookbook-runs.jsonl"))
        } catch {
            runnerLogger.warning("Could not write the run record: \(error)")
        }
    }
}

/// Thrown by a cookbook to end with an exit code (Python's `sys.exit(n)`): 0 counts as success, anything else as ERROR.
public struct CookbookExit: Error, Sendable {
    /// The exit code.
    public var code: Int32

    /// Creates the exit.
    public init(_ code: Int32) {
        self.code = code
    }
}

/// The description of an error as the operator should read it.
func describe(_ error: any Error) -> String {
    let text = String(describing: error)
    return "\(type(of: error)): \(text)"
}
