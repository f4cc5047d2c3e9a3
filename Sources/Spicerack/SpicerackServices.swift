import SpicerackLocks
import Synchronization

/// The parts of a ``Spicerack`` that the runner provides (nested runs, locks, remote access).
public struct SpicerackServices: Sendable {
    /// Runs a cookbook by name and returns its exit code.
    public var runCookbook: (@Sendable (_ name: String, _ arguments: [String]) async -> Int32)?
    /// The lock manager for custom locks.
    public var locks: Locks?
    let touchedHosts = SharedSet()

    /// Creates the services; all optional.
    public init(runCookbook: (@Sendable (_ name: String, _ arguments: [String]) async -> Int32)? = nil) {
        self.runCookbook = runCookbook
    }
}

/// A set of strings shared between copies of a value.
final class SharedSet: Sendable {
    private let storage = Mutex<Set<String>>([])

    func withLock<T>(_ body: (inout Set<String>) -> T) -> T { storage.withLock { body(&$0) } }
}
