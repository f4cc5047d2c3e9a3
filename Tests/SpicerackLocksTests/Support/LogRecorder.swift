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

    /// Whether a message contains `text`.
    func contains(_ text: String) -> Bool {
        messages.contains { $0.contains(text) }
    }

    /// A logger at trace level whose records land here.
    func logger(label: String = "locks-test") -> Logger {
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
