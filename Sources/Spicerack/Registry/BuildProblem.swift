/// A source file left out of the compiled tree, and why (the compiler's first error, or a naming problem).
public struct BuildProblem: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The file, as an absolute path.
    public var file: String
    /// The line of the first error (1-based), when known.
    public var line: Int?
    /// The column of the first error (1-based), when known.
    public var column: Int?
    /// The error message.
    public var message: String

    /// Creates a problem.
    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, the way compilers print diagnostics.
    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return "\(location): \(message)"
    }
}
