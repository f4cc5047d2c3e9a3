/// A scap configuration value or file that cannot be used: what is wrong, where, and what is expected.
///
/// `description` reads `FILE:LINE: [SECTION] key 'K': MESSAGE` with the parts that are known, e.g.
/// `scap/scap.cfg:4: [global] key 'cache_revs': expected a non-negative integer, got 'five'`.
public struct ScapConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file that holds the problem (`<command line>` for `-D` overrides).
    public var path: String
    /// The INI section of the offending option, when the problem is in an INI file.
    public var section: String?
    /// The 1-based line of the problem, when known.
    public var line: Int?
    /// The offending key, when the problem is one key.
    public var key: String?
    /// What is wrong and what is expected instead.
    public var message: String

    /// The path used for values given with `-D key:value`.
    public static let commandLinePath = "<command line>"

    /// Creates an error.
    public init(path: String, section: String? = nil, line: Int? = nil, key: String? = nil, message: String) {
        self.path = path
        self.section = section
        self.line = line
        self.key = key
        self.message = message
    }

    /// `FILE:LINE: [SECTION] key 'K': MESSAGE`, the parts that are known.
    public var description: String {
        var text = path
        if let line { text += ":\(line)" }
        text += ":"
        if let section { text += " [\(section)]" }
        if let key { text += " key '\(key)':" }
        return text + " " + message
    }
}
