import ArgumentParser

/// The simple cookbook API (Spicerack's module API): a title, optional typed arguments and one `run`.
///
/// ```swift
/// import Spicerack
///
/// struct Hello: SimpleCookbook {
///     static let title = "Say hello to the hosts"
///     struct Arguments: ParsableArguments {
///         @Option(help: "Who to greet.") var name = "world"
///     }
///     func run(_ arguments: Arguments, _ spicerack: Spicerack) async throws -> Int32? {
///         spicerack.logger.info("Hello \(arguments.name)")
///         return nil
///     }
/// }
/// ```
///
/// A cookbook that declares no `Arguments` gets ``NoArguments``: any argument is an error (exit code 2).
public protocol SimpleCookbook: CookbookDescription {
    /// The command-line arguments, parsed with swift-argument-parser.
    associatedtype Arguments: ParsableArguments = NoArguments
    /// How many runs of this cookbook may hold its lock at once (Spicerack's `MAX_CONCURRENCY`, 20; 0 = unlimited).
    static var maxConcurrency: Int { get }
    /// How long the lock of a run lives without a heartbeat (Spicerack's `LOCK_TTL`, 30 minutes).
    static var lockTTL: Duration { get }
    /// Creates the cookbook; it must not act.
    init()
    /// Does the work.
    /// - Returns: `nil` or 0 on success, a failure code below 128 otherwise (90–99 are reserved, see ``ExitCode``).
    func run(_ arguments: Arguments, _ spicerack: Spicerack) async throws -> Int32?
}

extension SimpleCookbook {
    public static var maxConcurrency: Int { CookbookDefaults.maxConcurrency }
    public static var lockTTL: Duration { CookbookDefaults.lockTTL }
}

/// Spicerack's defaults for cookbook locks.
public enum CookbookDefaults {
    /// Concurrent runs of one cookbook allowed by default.
    public static let maxConcurrency = 20
    /// The lock TTL of a run by default.
    public static let lockTTL: Duration = .seconds(1800)
}
