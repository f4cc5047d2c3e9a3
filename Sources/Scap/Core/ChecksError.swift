/// A `checks.yaml` that cannot be used: what is wrong, where (file, line, column), which check and key.
public struct ChecksError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file that holds the problem.
    public var path: String
    /// The 1-based line, when known.
    public var line: Int?
    /// The 1-based column, when known.
    public var column: Int?
    /// The check being read, when the problem is inside one.
    public var check: String?
    /// The offending key, when the problem is one key.
    public var key: String?
    /// What is wrong and what is expected.
    public var message: String

    /// Creates an error.
    public init(
        path: String, line: Int? = nil, column: Int? = nil, check: String? = nil, key: String? = nil,
        message: String
    ) {
        self.path = path
        self.line = line
        self.column = column
        self.check = check
        self.key = key
        self.message = message
    }

    /// `FILE:LINE:COLUMN: check 'C' key 'K': MESSAGE`, the parts that are known.
    public var description: String {
        var text = path
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ":"
        if let check { text += " check '\(check)'" }
        if let key { text += " key '\(key)'" }
        if check != nil || key != nil { text += ":" }
        return text + " " + message
    }
}
