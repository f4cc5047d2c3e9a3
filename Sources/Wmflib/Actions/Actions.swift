import Logging

/// The actions performed on one host (or other name) and their outcome, printable as Phabricator markup
/// (wmflib's `actions.Actions`).
///
/// ```swift
/// var actions = Actions("host1001")
/// actions.success("Downtimed on Icinga")
/// actions.success("Restarted ntp")
/// print(actions)
/// // host1001 (**PASS**)
/// //   - Downtimed on Icinga
/// //   - Restarted ntp
/// ```
public struct Actions: Sendable, CustomStringConvertible {
    /// The overall result of a set of actions, the worst one recorded.
    public enum Status: String, Sendable {
        /// Only successful actions.
        case pass = "PASS"
        /// At least one warning and no failures.
        case warn = "WARN"
        /// At least one failure.
        case fail = "FAIL"
    }

    /// What the actions were performed on.
    public let name: String
    /// The action descriptions, in order.
    public private(set) var actions: [String] = []
    /// Whether at least one warning was recorded.
    public private(set) var hasWarnings = false
    /// Whether at least one failure was recorded.
    public private(set) var hasFailures = false
    /// Where each action is logged as it is recorded.
    public var logger: Logger

    /// Creates an empty set of actions.
    /// - Parameters:
    ///   - name: the host or other identifier the actions are about.
    ///   - logger: where to log each action.
    public init(_ name: String, logger: Logger = Logger(label: "wmflib.actions")) {
        self.name = name
        self.logger = logger
    }

    /// `FAIL` if any failure, else `WARN` if any warning, else `PASS`.
    public var status: Status {
        if hasFailures { return .fail }
        if hasWarnings { return .warn }
        return .pass
    }

    /// Records a successful action, logged at info level.
    public mutating func success(_ message: String) {
        record(message, level: .info)
    }

    /// Records an action that needs attention, logged at warning level.
    public mutating func warning(_ message: String) {
        record(message, level: .warning)
        hasWarnings = true
    }

    /// Records a failed action, logged at error level.
    public mutating func failure(_ message: String) {
        record(message, level: .error)
        hasFailures = true
    }

    private mutating func record(_ message: String, level: Logger.Level) {
        logger.log(level: level, "\(message)")
        actions.append(message)
    }

    /// `name (**STATUS**)` then one `  - action` line per action.
    public var description: String {
        let lines = actions.map { "  - \($0)" }.joined(separator: "\n")
        return "\(name) (**\(status.rawValue)**)\n\(lines)"
    }
}
