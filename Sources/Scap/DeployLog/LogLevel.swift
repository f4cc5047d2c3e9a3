/// The Python logging levels used by scap's deploy log (`levelno`).
public enum LogLevel {
    /// The level numbers by name.
    public static let numbers: [String: Int] = ["CRITICAL": 50, "ERROR": 40, "WARNING": 30, "INFO": 20, "DEBUG": 10]

    /// `DEBUG`, the level shown with `-v`.
    public static let debug = 10
    /// `INFO`, the level shown by default.
    public static let info = 20

    /// The level number of a name (`WARNING` → 30), any case; `nil` for other text.
    public static func number(named name: String) -> Int? { numbers[name.uppercased()] }

    /// Python's `levelname` for a number: a known name or `Level N`.
    public static func name(of number: Int) -> String {
        numbers.first { $0.value == number }?.key ?? "Level \(number)"
    }
}
