import Foundation
import Logging
import SpicerackLocks
import Synchronization
import Wmflib

/// The entry point to every library a cookbook uses, set up from the `cookbook` flags and configuration.
///
/// ```swift
/// func run(_ arguments: Arguments, _ spicerack: Spicerack) async throws -> Int32? {
///     let hosts = try spicerack.remote().query("D{web[1-3]}")
///     try await hosts.runSync(["systemctl restart nginx"], batchSize: .count(1))
///     spicerack.salLogger.info("Restarted nginx on \(hosts)")
///     return nil
/// }
/// ```
///
/// Site-specific accessors are extensions of this type in a `_`-prefixed helper file of the tree; they can read
/// ``configuration`` (``SpicerackConfiguration/raw`` holds every key) and memoize clients with ``shared(_:make:)``.
public final class Spicerack: Sendable {
    /// Whether this is a dry run: nothing may change anywhere.
    public let dryRun: Bool
    /// Whether `-v/--verbose` was given.
    public let verbose: Bool
    /// The operator (`SUDO_USER` unless root, else `USER`, else `-`).
    public let username: String
    /// This host's name.
    public let currentHostname: String
    /// The configuration `cookbook` was started with.
    public let configuration: SpicerackConfiguration
    /// The logger of the running cookbook (`cookbooks.<name>`): console and both log files.
    public let logger: Logger
    /// Logs to IRC (`user@host message`) as well as the console and log files; IRC is off in dry-run.
    public let ircLogger: Logger
    /// Logs to the SAL (`!log user@host message`) as well as the console and log files; off in dry-run.
    public let salLogger: Logger
    /// Prompts for the operator, wired to the IRC notification and the lock's "waiting for input" flag.
    public let interactive: Interactive
    /// Whether locks are disabled (`--no-locks`).
    public let locksDisabled: Bool

    let services: SpicerackServices
    private let actionsStorage: Mutex<ActionsDict>
    private let sharedStorage = Mutex<[ObjectIdentifier: any Sendable]>([:])

    /// Creates the accessor; `cookbook` does this for every run, tests may too.
    public init(
        dryRun: Bool,
        verbose: Bool = false,
        configuration: SpicerackConfiguration,
        logger: Logger,
        ircLogger: Logger? = nil,
        salLogger: Logger? = nil,
        interactive: Interactive? = nil,
        locksDisabled: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        services: SpicerackServices = SpicerackServices()
    ) {
        self.dryRun = dryRun
        self.verbose = verbose
        self.configuration = configuration
        self.logger = logger
        self.ircLogger = ircLogger ?? logger
        self.salLogger = salLogger ?? logger
        self.interactive = interactive ?? Interactive(logger: logger)
        self.locksDisabled = locksDisabled
        self.username = getUsername(environment: environment)
        self.currentHostname = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        self.services = services
        self.actionsStorage = Mutex(ActionsDict(logger: logger))
    }

    /// `user@host [pid]`, the owner string of locks.
    public var owner: String { "\(username)@\(currentHostname) [\(getpid())]" }

    /// A snapshot of the actions recorded so far (Spicerack's `spicerack.actions`), for a Phabricator comment.
    public var actions: ActionsDict { actionsStorage.withLock { $0 } }

    /// Records actions: `spicerack.recordActions { $0["host1"].success("Rebooted") }`.
    public func recordActions<T>(_ body: (inout ActionsDict) throws -> T) rethrows -> T {
        try actionsStorage.withLock { try body(&$0) }
    }

    /// Runs another cookbook of the tree in this process, with its own lock and START/END lines, into this run's
    /// log files (Spicerack's `run_cookbook`).
    /// - Parameters:
    ///   - name: the dotted name.
    ///   - arguments: its command-line arguments.
    ///   - raises: throw ``RunCookbookError`` when it does not succeed, instead of returning its exit code.
    ///   - confirm: on failure, ask the operator to retry, skip or abort (`confirmOnFailure`).
    /// - Returns: the exit code.
    @discardableResult
    public func runCookbook(
        _ name: String, arguments: [String] = [], raises: Bool = false, confirm: Bool = false
    ) async throws -> Int32 {
        guard let runner = services.runCookbook else {
            throw RunCookbookError(name: name, exitCode: ReservedExitCode.notFound, arguments: arguments)
        }
        let attempt: @Sendable () async throws -> Int32 = {
            let code = await runner(name, arguments)
            if code != 0 && (raises || confirm) {
                throw RunCookbookError(name: name, exitCode: code, arguments: arguments)
            }
            return code
        }
        if confirm {
            return try await interactive.confirmOnFailure(name: "run_cookbook \(name)", attempt) ?? 0
        }
        return try await attempt()
    }

    /// Custom locks for the cookbook (Spicerack's `spicerack.lock()`), under `/spicerack/locks/custom/<name>`:
    /// ```swift
    /// try await spicerack.lock().withLock("maintenance-db1001", concurrency: 1, ttl: .seconds(600)) { _ in ... }
    /// ```
    public func lock() -> CustomLocks {
        CustomLocks(locks: services.locks ?? Locks(backend: nil, dryRun: dryRun, logger: logger))
    }

    /// A value made once per run and shared afterwards, for site-specific clients.
    public func shared<T: Sendable>(_ type: T.Type, make: () throws -> T) rethrows -> T {
        if let value = sharedStorage.withLock({ $0[ObjectIdentifier(type)] }) as? T { return value }
        let value = try make()
        sharedStorage.withLock { $0[ObjectIdentifier(type)] = value }
        return value
    }
}

extension Spicerack {
    /// Every host a remote command was sent to in this run, sorted (for the run record).
    public var touchedHosts: [String] { services.touchedHosts.withLock { $0.sorted() } }

    /// Records hosts a remote command was sent to.
    public func recordTouchedHosts<S: Sequence<String>>(_ hosts: S) {
        services.touchedHosts.withLock { $0.formUnion(hosts) }
    }
}
