import Foundation

/// The audit record of one cookbook run, appended as a JSON line to `<logs_base_dir>/cookbook-runs.jsonl`.
public struct RunRecord: Codable, Sendable, Equatable {
    /// The cookbook.
    public var name: String
    /// Its arguments.
    public var arguments: [String]
    /// The operator.
    public var user: String
    /// The host the run was started from.
    public var host: String
    /// The process.
    public var pid: Int32
    /// Whether it was a dry run.
    public var dryRun: Bool
    /// When it started (ISO 8601).
    public var start: String
    /// When it ended (ISO 8601).
    public var end: String
    /// Its duration in seconds.
    public var duration: Double
    /// The exit code.
    public var exitCode: Int32
    /// PASS, FAIL or ERROR.
    public var status: String
    /// The runtime description.
    public var description: String
    /// Every host a remote command was sent to, sorted.
    public var hosts: [String]

    /// Appends the record to `file` (created when missing), one JSON object per line, under an exclusive lock.
    public func append(to file: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        let directory = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: file]) }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        _ = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Reads every record of a file (for tests and audits); bad lines are skipped.
    public static func read(from file: String) -> [RunRecord] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(RunRecord.self, from: Data($0.utf8)) }
    }
}
