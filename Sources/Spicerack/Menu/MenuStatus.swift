import Foundation

/// The result of the last run of each cookbook, shown in the menu and kept across sessions in a small JSON file.
public struct MenuStatus: Sendable {
    /// A cookbook's status in the menu.
    public enum Status: String, Codable, Sendable {
        case notRun = "NOTRUN"
        case pass = "PASS"
        case fail = "FAIL"
        case error = "ERROR"
    }

    /// Where statuses are kept; `nil` keeps them for the session only.
    public let file: String?
    private(set) var statuses: [String: Status]

    /// Loads the statuses kept in `file` (a missing or bad file starts empty).
    public init(file: String?) {
        self.file = file
        if let file, let data = FileManager.default.contents(atPath: file),
            let decoded = try? JSONDecoder().decode([String: Status].self, from: data)
        {
            statuses = decoded
        } else {
            statuses = [:]
        }
    }

    /// The status of a cookbook.
    public subscript(name: String) -> Status { statuses[name] ?? .notRun }

    /// Records the exit code of a run (0 PASS; interrupted, ERROR-class codes ERROR; anything else FAIL) and saves.
    public mutating func record(_ name: String, exitCode: Int32, status: String) {
        let value = Status(rawValue: status) ?? (exitCode == 0 ? .pass : .fail)
        statuses[name] = value
        save(name, value)
    }

    /// Merges one status into the file under an exclusive `flock`, so that two menu sessions at once never lose
    /// each other's results.
    private mutating func save(_ name: String, _ value: Status) {
        guard let file else { return }
        let directory = (file as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lock = open(file + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else { return }
        defer { close(lock) }
        flock(lock, LOCK_EX)
        defer { flock(lock, LOCK_UN) }
        var merged: [String: Status] = [:]
        if let data = FileManager.default.contents(atPath: file),
            let decoded = try? JSONDecoder().decode([String: Status].self, from: data)
        {
            merged = decoded
        }
        merged[name] = value
        statuses.merge(merged) { _, stored in stored }
        guard let data = try? JSONEncoder().encode(merged) else { return }
        let temporary = file + ".\(getpid()).tmp"
        if FileManager.default.createFile(atPath: temporary, contents: data) {
            _ = rename(temporary, file)
        }
    }
}
