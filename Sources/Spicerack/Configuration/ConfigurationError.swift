/// A problem with the `cookbook` configuration: which file, which key, what is wrong and what to do.
///
/// Rendered on one line: `/etc/spicerack/config.yaml: key 'logs_base_dir' is missing; it is required to run
/// cookbooks (set it to a writable directory, e.g. /var/log/spicerack)`.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The configuration file.
    public var path: String
    /// The dotted key, when the problem is about one.
    public var key: String?
    /// What is wrong.
    public var message: String
    /// What to do about it.
    public var hint: String?

    /// Creates an error.
    public init(path: String, key: String?, message: String, hint: String? = nil) {
        self.path = path
        self.key = key
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var text = path + ": "
        if let key { text += "key '\(key)' " }
        text += message
        if let hint { text += " (\(hint))" }
        return text
    }
}
