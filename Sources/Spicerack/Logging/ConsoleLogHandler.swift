import Foundation
import Logging
import Synchronization

/// Spicerack's console: messages only, on stderr, INFO and up (DEBUG in dry-run, every line prefixed `DRY-RUN: `).
///
/// Cumin's own loggers are kept off the console, as Spicerack does: the grouped command output is printed by the
/// remote layer itself, and its log lines go to the files. Routine lock messages (acquired, released) go to the
/// files only, except in dry-run.
public struct ConsoleLogHandler: LogHandler {
    /// Where lines go; stderr by default.
    public final class Output: Sendable {
        private let write: @Sendable (String) -> Void

        /// Standard error.
        public static let standardError = Output { text in
            FileHandle.standardError.write(Data(text.utf8))
        }

        /// An output that calls `write` with each line (for tests).
        public init(_ write: @escaping @Sendable (String) -> Void) {
            self.write = write
        }

        func emit(_ text: String) { write(text) }
    }

    private let label: String
    private let dryRun: Bool
    private let output: Output
    /// The lowest level shown.
    public var logLevel: Logger.Level
    /// Unused; kept for the protocol.
    public var metadata: Logger.Metadata = [:]

    /// Creates the handler of logger `label`.
    public init(label: String, dryRun: Bool, output: Output = .standardError) {
        self.label = label
        self.dryRun = dryRun
        self.output = output
        self.logLevel = dryRun ? .debug : .info
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        if label == "cumin" || label.hasPrefix("cumin.") { return }
        // Lock bookkeeping (acquired, released) stays in the files unless it needs the operator's eyes.
        if label == "spicerack.locking" && event.level < .warning && !dryRun { return }
        let prefix = dryRun ? "DRY-RUN: " : ""
        let text = "\(event.message)"
        // The run's statistics line is for the extended log file (and tools reading it), not for the operator.
        if text.hasPrefix("__COOKBOOK_STATS__") { return }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        output.emit(lines.map { prefix + $0 }.joined(separator: "\n") + "\n")
    }
}
