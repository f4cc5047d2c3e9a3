import Foundation

/// Follows the newest deploy log as `deploy-log` without `--latest`/`--file` does: reads new complete lines,
/// and switches to a newer `*.log` file when one appears (scanning at most every ``scanInterval``).
public struct DeployLogFollower: Sendable {
    /// What one poll found.
    public struct Batch: Sendable, Equatable {
        /// The file newly opened by this poll, if any (print `-- Opening log file: '…'`).
        public var opened: String?
        /// The records read, in order.
        public var records: [DeployLogRecord]
    }

    /// The directory scanned for logs.
    public var directory: DeployLogDirectory
    /// The minimum time between directory scans (scap: 1 s).
    public var scanInterval: TimeInterval
    /// The file being followed.
    public private(set) var currentFile: String?
    private var offset: UInt64 = 0
    private var pending = Data()
    private var lastScan: Date?

    /// Creates a follower of `directory`'s newest log.
    public init(directory: DeployLogDirectory, scanInterval: TimeInterval = 1) {
        self.directory = directory
        self.scanInterval = scanInterval
    }

    /// Reads what was appended since the last poll, first switching files when a newer log exists.
    public mutating func poll(now: Date = Date()) -> Batch {
        var batch = Batch(opened: nil, records: [])
        if lastScan.map({ now.timeIntervalSince($0) >= scanInterval }) ?? true {
            lastScan = now
            if let latest = directory.latestFile(), latest != currentFile {
                currentFile = latest
                offset = 0
                pending = Data()
                batch.opened = latest
            }
        }
        guard let currentFile, let handle = FileHandle(forReadingAtPath: currentFile) else { return batch }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd() else { return batch }
        offset += UInt64(data.count)
        pending.append(data)
        guard let lastNewline = pending.lastIndex(of: UInt8(ascii: "\n")) else { return batch }
        let complete = pending[pending.startIndex...lastNewline]
        pending = Data(pending[(lastNewline + 1)...])
        batch.records = String(decoding: complete, as: UTF8.self).split(separator: "\n").compactMap {
            DeployLogRecord(line: $0)
        }
        return batch
    }
}
