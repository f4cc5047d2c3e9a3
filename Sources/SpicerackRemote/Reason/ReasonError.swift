/// A ``Reason`` that cannot be built: which part, its value, and what is wrong with it.
public struct ReasonError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offending part: `reason`, `username`, `hostname` or `taskID`.
    public var property: String
    /// Its value.
    public var value: String
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(property: String, value: String, message: String) {
        self.property = property
        self.value = value
        self.message = message
    }

    /// `Invalid administrative reason: <message>: <value>`.
    public var description: String { "Invalid administrative reason: \(message): \(value)" }
}
