import Foundation
import Synchronization

/// The JSON audit log: one object per line with time, request id, user, IP, action and details.
public final class AuditLog: Sendable {
    private let path: String
    private let lock = Mutex(())

    /// Appends to `path` (created with mode 0600, its directory if needed).
    public init(path: String) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }

    /// Writes one entry.
    public func record(
        _ action: String, user: String?, ip: String? = nil, requestID: String? = nil, details: [String: String] = [:]
    ) {
        var object: [String: Any] = [
            "time": ISO8601DateFormatter().string(from: Date()), "action": action, "user": user ?? NSNull(),
        ]
        if let ip { object["ip"] = ip }
        if let requestID { object["request_id"] = requestID }
        if !details.isEmpty { object["details"] = details }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        lock.withLock { _ in
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return }
            defer { close(fd) }
            let line = data + Data("\n".utf8)
            _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }
    }
}
