/// A configuration file that cannot be used: what is wrong, where, and what to do.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The file that holds the problem.
    public var path: String
    /// The 1-based line of the problem, when known.
    public var line: Int?
    /// The 1-based column of the problem, when known.
    public var column: Int?
    /// The offending key (dotted for nested keys, e.g. `clustershell.fanout`), when the problem is one key.
    public var key: String?
    /// What is wrong and what to do about it.
    public var message: String

    /// Creates an error.
    public init(path: String, line: Int? = nil, column: Int? = nil, key: String? = nil, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    /// `FILE:LINE:COLUMN: key 'K': MESSAGE`, the parts that are known.
    public var description: String {
        var location = path
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        if let key { return "\(location): key '\(key)': \(message)" }
        return "\(location): \(message)"
    }
}
