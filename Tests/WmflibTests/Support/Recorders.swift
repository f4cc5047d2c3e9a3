import Synchronization

/// Records requested sleeps instead of sleeping.
final class SleepRecorder: Sendable {
    private let storage = Mutex<[Duration]>([])
    var delays: [Duration] { storage.withLock { $0 } }
    func sleep(_ duration: Duration) async throws {
        storage.withLock { $0.append(duration) }
    }
}

/// Counts calls of an operation from inside non-Sendable closures.
final class Counter: Sendable {
    private let storage = Mutex(0)
    var value: Int { storage.withLock { $0 } }
    @discardableResult func increment() -> Int { storage.withLock { $0 += 1; return $0 } }
}
