import Foundation

/// Formats records as `deploy-log` prints them: `HH:MM:SS [host] message`, coloured by level when asked.
///
/// As scap's `DiffLogFormatter`: the time is the record's `created` in the local time zone; a formatted exception
/// (`exc_text`) follows on the next lines; a `config_diff` record prints its `output` as is.
public struct DeployLogFormatter: Sendable {
    /// The time zone of the `HH:MM:SS` stamp.
    public var timeZone: TimeZone
    /// Whether lines are wrapped in ANSI colours by level.
    public var colorize: Bool

    /// The ANSI SGR parameters per level name (CRITICAL white on red, ERROR red, WARNING yellow, INFO green,
    /// DEBUG cyan).
    public static let colors: [String: String] = [
        "CRITICAL": "41;37", "ERROR": "31", "WARNING": "33", "INFO": "32", "DEBUG": "36",
    ]

    /// Creates a formatter.
    public init(timeZone: TimeZone = .current, colorize: Bool = false) {
        self.timeZone = timeZone
        self.colorize = colorize
    }

    /// The printed form of `record` (possibly several lines, no trailing newline).
    public func format(_ record: DeployLogRecord) -> String {
        if record.extra["type"] == .string("config_diff"), case .string(let output)? = record.extra["output"] {
            return output
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute, .second], from: Date(timeIntervalSince1970: record.created))
        let stamp = String(format: "%02d:%02d:%02d", parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
        var text = "\(stamp) [\(record.host ?? "")] \(record.message)"
        if let excText = record.excText, !excText.isEmpty {
            text += "\n" + excText
        }
        guard colorize else { return text }
        let color = Self.colors[LogLevel.name(of: record.levelno)] ?? "0"
        return "\u{1B}[\(color)m\(text)\u{1B}[0m"
    }
}
