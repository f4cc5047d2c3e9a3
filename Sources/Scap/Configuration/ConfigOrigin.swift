/// Where a configuration value came from: a file, section and line, or the command line.
public struct ConfigOrigin: Sendable, Hashable, CustomStringConvertible {
    /// The file (or ``ScapConfigError/commandLinePath`` for `-D`).
    public var path: String
    /// The INI section, when the value came from a file.
    public var section: String?
    /// The 1-based line, when known.
    public var line: Int?

    /// Creates an origin.
    public init(path: String, section: String? = nil, line: Int? = nil) {
        self.path = path
        self.section = section
        self.line = line
    }

    /// `FILE:LINE [SECTION]`, the parts that are known.
    public var description: String {
        path + (line.map { ":\($0)" } ?? "") + (section.map { " [\($0)]" } ?? "")
    }

    /// An error at this origin about `key`.
    func error(key: String?, _ message: String) -> ScapConfigError {
        ScapConfigError(path: path, section: section, line: line, key: key, message: message)
    }
}
