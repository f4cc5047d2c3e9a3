import Cumin
import Foundation
import Logging

/// Writes a run's log files in Spicerack's formats.
///
/// - ``Format/normal`` (`<name>.log`, INFO and up):
///   `2026-11-21 16:52:30,382 alice 8631 [INFO] START - Cookbook demo.hello`
/// - ``Format/extended`` (`<name>-extended.log`, DEBUG and up, with the logger, line and function):
///   `2026-11-21 16:52:21,834 alice 8062 [DEBUG cookbooks.demo.hello:20 in run] A debug line`
///
/// Dry runs add `DRY-RUN ` before the user. Multi-line messages are written as they are.
public struct RunLogFileHandler: LogHandler {
    /// Which of the two files.
    public enum Format: Sendable {
        /// The INFO file.
        case normal
        /// The DEBUG file with source locations.
        case extended
    }

    private let label: String
    private let format: Format
    private let user: String
    private let dryRun: Bool
    private let sink: FileLogHandler.Sink
    /// The lowest level written.
    public var logLevel: Logger.Level
    /// Unused; kept for the protocol.
    public var metadata: Logger.Metadata = [:]

    /// Creates a handler for logger `label`.
    public init(label: String, format: Format, user: String, dryRun: Bool, sink: FileLogHandler.Sink) {
        self.label = label
        self.format = format
        self.user = user
        self.dryRun = dryRun
        self.sink = sink
        self.logLevel = format == .normal ? .info : .debug
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let marker = dryRun ? "DRY-RUN " : ""
        let level = FileLogHandler.levelName(event.level)
        let head = "\(FileLogHandler.timestamp()) \(marker)\(user) \(getpid())"
        switch format {
        case .normal:
            sink.write("\(head) [\(level)] \(event.message)\n")
        case .extended:
            let function = event.function.split(separator: "(").first.map(String.init) ?? event.function
            sink.write("\(head) [\(level) \(label):\(event.line) in \(function)] \(event.message)\n")
        }
    }
}
