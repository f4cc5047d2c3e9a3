import Logging
import Synchronization

/// Captured log records, shared between the loggers a test hands out and the test that reads them.
///
/// ```swift
/// let log = LogRecorder()
/// try await retry(logger: log.logger()) { ... }
/// #expect(log.contains("Attempt 1 failed"))
/// ```
public final class LogRecorder: Sendable {
    /// One log call.
    public struct Record: Sendable, Equatable {
        /// The logger's label.
        public var label: String
        /// The level it was logged at.
        public var level: Logger.Level
        /// The message, without metadata.
        public var message: String

        /// Creates a record.
        public init(label: String = "test", level: Logger.Level, message: String) {
            self.label = label
            self.level = level
            self.message = message
        }
    }

    private let storage = Mutex<[Record]>([])

    /// Creates an empty recorder.
    public init() {}

    /// Every record so far, in order.
    public var records: [Record] { storage.withLock { $0 } }
    /// Every message so far, in order.
    public var messages: [String] { records.map(\.message) }

    /// The messages logged at `level`.
    public func messages(at level: Logger.Level) -> [String] {
        records.filter { $0.level == level }.map(\.message)
    }

    /// Whether a message contains `text`.
    public func contains(_ text: String) -> Bool {
        messages.contains { $0.contains(text) }
    }

    /// Adds a record.
    public func append(_ record: Record) {
        storage.withLock { $0.append(record) }
    }

    /// A logger at trace level whose records land here.
    public func logger(label: String = "test") -> Logger {
        Logger(label: label) { label in RecordingLogHandler(label: label, recorder: self) }
    }
}

/// A `LogHandler` that appends every record to a ``LogRecorder``.
public struct RecordingLogHandler: LogHandler {
    /// The logger's label.
    public let label: String
    /// Where the records go.
    public let recorder: LogRecorder
    /// The logger's metadata (not recorded).
    public var metadata: Logger.Metadata = [:]
    /// Trace by default: every record is kept.
    public var logLevel: Logger.Level = .trace

    /// Creates a handler recording into `recorder`.
    public init(label: String = "test", recorder: LogRecorder) {
        self.label = label
        self.recorder = recorder
    }

    /// The metadata value of `key`.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Records the event.
    public func log(event: LogEvent) {
        recorder.append(.init(label: label, level: event.level, message: event.message.description))
    }
}
