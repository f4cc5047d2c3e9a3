import Foundation

/// Why an administrative action is done, by whom and from where, as it appears in downtimes, silences and logs
/// (Spicerack's `admin_reason`).
///
/// ```swift
/// let reason = try Reason(reason: "Rebooting for kernel", username: "alice", hostname: "vm", taskID: "T12345")
/// reason.description  // Rebooting for kernel - alice@vm - T12345
/// reason.quoted()     // "Rebooting for kernel - alice@vm - T12345"
/// ```
public struct Reason: Sendable, Hashable, CustomStringConvertible {
    /// What is done and why.
    public let reason: String
    /// Who does it.
    public let username: String
    /// The host it is done from.
    public let hostname: String
    /// The Phabricator task, e.g. `T12345`.
    public let taskID: String?

    /// Creates a reason.
    /// - Throws: ``ReasonError`` when a part contains a double quote (it would break the quoted form that is
    ///   passed to other tools' command lines), or when the reason is empty.
    public init(reason: String, username: String, hostname: String, taskID: String? = nil) throws(ReasonError) {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ReasonError(property: "reason", value: reason, message: "the reason must not be empty")
        }
        for (property, value) in [
            ("reason", reason), ("username", username), ("hostname", hostname), ("taskID", taskID ?? ""),
        ] where value.contains("\"") {
            throw ReasonError(
                property: property, value: value, message: "the \(property) must not contain double quotes")
        }
        self.reason = reason
        self.username = username
        self.hostname = hostname
        self.taskID = taskID.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `username@hostname`.
    public var owner: String { "\(username)@\(hostname)" }

    /// `<reason> - <user>@<host>`, followed by ` - <task>` when there is a task.
    public var description: String {
        ([reason, owner] + (taskID.map { [$0] } ?? [])).joined(separator: " - ")
    }

    /// The description in double quotes, ready for a command line.
    public func quoted() -> String { "\"\(description)\"" }
}
