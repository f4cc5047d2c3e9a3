import Foundation
import Logging
import Synchronization

/// A swift-log handler that appends lines to a file in cumin's audit format, rotating it by size.
///
/// `2026-11-21 18:10:00,123 [INFO alice 4242 cumin.run:80] message` — the user is the real operator
/// (`SUDO_USER` when run through sudo), so the log says who did what.
public struct FileLogHandler: LogHandler {
    /// The open file shared by every logger of the process.
    public final class Sink: Sendable {
        private struct State {
            var handle: FileHandle?
            var size: UInt64
        }

        /// The log file.
        public let path: String
        /// Rotate when the file would grow past this many bytes.
        public let maxBytes: UInt64
        /// Rotated files kept (`path.1` ... `path.N`).
        public let backupCount: Int
        private let state: Mutex<State>

        /// Opens (creating it and its directory, mode 0770, when missing) the log file at `path`.
        /// - Throws: ``ConfigurationError``-style ``ExecutionError`` naming the path when it cannot be opened.
        public init(path: String, maxBytes: UInt64 = 10 << 20, backupCount: Int = 500) throws(ExecutionError) {
            self.path = path
            self.maxBytes = maxBytes
            self.backupCount = backupCount
            let directory = (path as NSString).deletingLastPathComponent
            do {
                if !directory.isEmpty {
                    try FileManager.default.createDirectory(
                        atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o770])
                }
                if !FileManager.default.fileExists(atPath: path) {
                    guard FileManager.default.createFile(atPath: path, contents: nil) else {
                        throw ExecutionError("cannot create log file \(path); check log_file and its permissions")
                    }
                }
                guard let handle = Self.openForAppending(path) else {
                    throw ExecutionError("cannot open log file \(path) for appending; check log_file and its permissions")
                }
                let size = try handle.seekToEnd()
                state = Mutex(State(handle: handle, size: size))
            } catch let error as ExecutionError {
                throw error
            } catch {
                throw ExecutionError("cannot open log file \(path): \(error.localizedDescription); check log_file")
            }
        }

        /// Opens with `O_APPEND`, so that several processes logging to the same file (two runs of one cookbook)
        /// never overwrite each other's lines.
        private static func openForAppending(_ path: String) -> FileHandle? {
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { return nil }
            return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        }

        /// Appends a line (rotating first when it would overflow).
        public func write(_ line: String) {
            let data = Data(line.utf8)
            state.withLock { state in
                if state.size + UInt64(data.count) > maxBytes { rotate(&state) }
                state.handle?.write(data)
                state.size += UInt64(data.count)
            }
        }

        private func rotate(_ state: inout State) {
            try? state.handle?.close()
            let manager = FileManager.default
            if backupCount > 0 {
                try? manager.removeItem(atPath: "\(path).\(backupCount)")
                for index in stride(from: backupCount - 1, through: 1, by: -1) {
                    let source = "\(path).\(index)"
                    if manager.fileExists(atPath: source) {
                        try? manager.moveItem(atPath: source, toPath: "\(path).\(index + 1)")
                    }
                }
                try? manager.moveItem(atPath: path, toPath: "\(path).1")
            }
            _ = manager.createFile(atPath: path, contents: nil)
            state.handle = Self.openForAppending(path)
            state.size = 0
        }
    }

    private let label: String
    private let user: String
    private let sink: Sink
    /// The lowest level written.
    public var logLevel: Logger.Level
    /// Metadata appended to every line.
    public var metadata: Logger.Metadata = [:]

    /// Creates a handler for the logger `label`, writing to `sink` as `user`.
    public init(label: String, user: String, sink: Sink, level: Logger.Level) {
        self.label = label
        self.user = user
        self.sink = sink
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let function = event.function.split(separator: "(").first.map(String.init) ?? event.function
        var line =
            "\(Self.timestamp()) [\(Self.levelName(event.level)) \(user) \(getpid()) \(label).\(function):\(event.line)] \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        if !merged.isEmpty {
            line += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        sink.write(line + "\n")
    }

    /// Python logging's level names.
    public static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO"
        case .notice: "INFO"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    /// `YYYY-MM-DD HH:MM:SS,mmm` in local time, as Python's `asctime`.
    public static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        localtime_r(&seconds, &parts)
        let millis = Int(now.tv_nsec / 1_000_000)
        func pad(_ value: Int32, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday)) "
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)),\(pad(Int32(millis), 3))"
    }
}
