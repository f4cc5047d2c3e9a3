import Logging
import Synchronization

/// Captured log records, shared between a logger and the test that reads them.
final class LogRecorder: Sendable {
    struct Record: Sendable, Equatable {
        var level: Logger.Level
        var message: String
    }

    private let storage = Mutex<[Record]>([])

    var records: [Record] { storage.withLock { $0 } }
    var messages: [String] { records.map(\.message) }

    func append(_ record: Record) {
        storage.withLock { $0.append(record) }
    }

    /// A logger at trace level whose records land here.
    func logger(label: String = "test") -> Logger {
        Logger(label: label) { _ in RecordingLogHandler(recorder: self) }
    }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.append(.init(level: event.level, message: event.message.description))
    }
}

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
