/// A deploy log that cannot be opened, written or found.
public struct DeployLogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The log file or directory concerned.
    public var path: String
    /// What went wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `PATH: MESSAGE`.
    public var description: String { "\(path): \(message)" }
}
