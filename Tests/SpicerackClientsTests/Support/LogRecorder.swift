import Logging
import Synchronization

/// Captured log records, shared between a logger and the test that reads them.
final class LogRecorder: Sendable {
    struct Record: Sendable, Equatable {
        var label: String
        var level: Logger.Level
        var message: String
    }

    private let storage = Mutex<[Record]>([])

    var records: [Record] { storage.withLock { $0 } }
    var messages: [String] { records.map(\.message) }

    /// The messages logged at `level`.
    func messages(at level: Logger.Level) -> [String] {
        records.filter { $0.level == level }.map(\.message)
    }

    func append(_ record: Record) {
        storage.withLock { $0.append(record) }
    }

    /// A logger at trace level whose records land here.
    func logger(label: String = "test") -> Logger {
        Logger(label: label) { label in RecordingLogHandler(label: label, recorder: self) }
    }
}

struct RecordingLogHandler: LogHandler {
    let label: String
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.append(.init(label: label, level: event.level, message: event.message.description))
    }
}
