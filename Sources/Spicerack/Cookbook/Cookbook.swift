import ArgumentParser

/// The runner cookbook API (Spicerack's class API): validate the arguments, then hand the work to a ``CookbookRunner``
/// that can describe itself, pick its lock and roll back.
///
/// ```swift
/// struct ServiceRouter: Cookbook {
///     static let title = "Pool or depool a service in a datacenter"
///     struct Arguments: ParsableArguments {
///         @Argument var service: String
///         @OptionGroup var reason: RequiredReason
///     }
///     func makeRunner(_ arguments: Arguments, _ spicerack: Spicerack) async throws -> Router { ... }
/// }
/// ```
///
/// `makeRunner` is the validation phase: it must not change anything. An error thrown there ends the run with exit
/// code 94 and no START/END lines; throwing ``CookbookInitSuccess`` ends it successfully (exit code 0) before the lock
/// and the SAL.
public protocol Cookbook: CookbookDescription {
    /// The command-line arguments, parsed with swift-argument-parser.
    associatedtype Arguments: ParsableArguments = NoArguments
    /// The object that does the work.
    associatedtype Runner: CookbookRunner
    /// Creates the cookbook; it must not act.
    init()
    /// Validates the arguments and gathers the state the run needs, without changing anything.
    func makeRunner(_ arguments: Arguments, _ spicerack: Spicerack) async throws -> Runner
}

/// The part of a runner cookbook that acts (Spicerack's `CookbookRunnerBase`).
public protocol CookbookRunner: SendableMetatype {
    /// Appended to the START and END lines, e.g. `for service foo in eqiad`.
    var runtimeDescription: String { get }
    /// How many runs may hold this cookbook's lock at once (default 20; 0 = unlimited but tracked).
    var maxConcurrency: Int { get }
    /// The lock TTL; the runner keeps the lock alive with a heartbeat while it runs (default 30 minutes).
    var lockTTL: Duration { get }
    /// The lock of the run: by default the cookbook's name, ``maxConcurrency`` and ``lockTTL``.
    var lockArguments: LockArguments { get }
    /// When true, START is not sent to the SAL and the last line says `DONE` instead of `END`.
    var skipStartSAL: Bool { get }
    /// Does the work. Returns `nil` or 0 on success, a failure code otherwise.
    func run() async throws -> Int32?
    /// Undoes what it can; called when ``run()`` failed, threw or was interrupted. An error here exits with 93.
    func rollback() async throws
}

extension CookbookRunner {
    public var runtimeDescription: String { "" }
    public var maxConcurrency: Int { CookbookDefaults.maxConcurrency }
    public var lockTTL: Duration { CookbookDefaults.lockTTL }
    public var lockArguments: LockArguments {
        LockArguments(suffix: "", concurrency: maxConcurrency, ttl: lockTTL)
    }
    public var skipStartSAL: Bool { false }
    public func rollback() async throws {}
}

/// Which lock a run takes: the key `cookbooks/<name>[:suffix]`, how many holders it allows and their TTL.
public struct LockArguments: Sendable, Equatable {
    /// Appended to the cookbook's name as `name:suffix` when not empty, to lock per target (e.g. a cluster).
    public var suffix: String
    /// Concurrent holders allowed; 0 = unlimited but tracked.
    public var concurrency: Int
    /// How long a holder lives without a heartbeat.
    public var ttl: Duration

    /// Creates lock arguments.
    public init(suffix: String = "", concurrency: Int = CookbookDefaults.maxConcurrency, ttl: Duration = CookbookDefaults.lockTTL) {
        self.suffix = suffix
        self.concurrency = concurrency
        self.ttl = ttl
    }
}
