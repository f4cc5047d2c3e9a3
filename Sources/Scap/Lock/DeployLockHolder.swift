import Foundation

/// Who holds a deploy lock, as written inside the lock file: `{locker, pid, timestamp_utc, reason}`.
public struct DeployLockHolder: Sendable, Equatable, Codable {
    /// The user who took the lock.
    public var locker: String
    /// The process holding it.
    public var pid: Int
    /// When it was taken, `YYYY-MM-DD HH:MM:SS` in UTC.
    public var timestampUTC: String
    /// Why (the deploy message).
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case locker, pid, reason
        case timestampUTC = "timestamp_utc"
    }

    /// Creates a holder record.
    public init(locker: String, pid: Int, timestampUTC: String, reason: String) {
        self.locker = locker
        self.pid = pid
        self.timestampUTC = timestampUTC
        self.reason = reason
    }

    /// The holder of this process, now.
    public static func current(reason: String, date: Date = Date()) -> DeployLockHolder {
        DeployLockHolder(
            locker: ScapConfig.currentUserName, pid: Int(getpid()), timestampUTC: utcTimestamp(date), reason: reason)
    }

    /// `YYYY-MM-DD HH:MM:SS` in UTC.
    static func utcTimestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    /// The holder in a lock file's text; `nil` for `{}`, an empty file or other text.
    public init?(json text: String) {
        guard let decoded = JSONLine.decode(DeployLockHolder.self, from: text) else { return nil }
        self = decoded
    }

    /// The record as one line of JSON.
    public var json: String { JSONLine.encode(self) }

    /// Whether the holder's process still runs on this host (a record left by a killed holder names a dead pid).
    public var isRunning: Bool {
        guard pid > 0, let processID = pid_t(exactly: pid) else { return false }
        return kill(processID, 0) == 0 || errno == EPERM
    }

    /// `<name> is locked by <user> (pid N) on <utc time>; reason is "<msg>"`.
    public func busyMessage(name: String) -> String {
        "\(name) is locked by \(locker) (pid \(pid)) on \(timestampUTC); reason is \"\(reason)\""
    }
}
