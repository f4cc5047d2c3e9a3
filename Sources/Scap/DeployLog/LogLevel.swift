/// The Python logging levels of scap's deploy log (`levelno` and `levelname`).
///
/// A record's `levelno` stays a plain number (a log may hold any); these are the five levels scap writes and
/// `scap deploy-log` filters by name (`levelno >= WARNING`).
public enum LogLevel: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// `DEBUG` (10): shown with `-v`.
    case debug = 10
    /// `INFO` (20): shown by default.
    case info = 20
    /// `WARNING` (30).
    case warning = 30
    /// `ERROR` (40): a failed host or deploy.
    case error = 40
    /// `CRITICAL` (50).
    case critical = 50

    /// The level with `name` (`WARNING`), any case; `nil` for other text.
    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
        self = level
    }

    /// Python's `levelname`: `DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`.
    public var name: String {
        switch self {
        case .debug: "DEBUG"
        case .info: "INFO"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    /// The name.
    public var description: String { name }

    /// Orders by number, as Python does.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The level number of a name (`WARNING` → 30), any case; `nil` for other text.
    public static func number(named name: String) -> Int? { LogLevel(name: name)?.rawValue }

    /// Python's `levelname` for a number: a known name or `Level N`.
    public static func name(of number: Int) -> String { LogLevel(rawValue: number)?.name ?? "Level \(number)" }
}
