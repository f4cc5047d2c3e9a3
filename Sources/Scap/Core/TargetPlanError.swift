/// A ``TargetStagePlan`` that cannot be turned into a target script, with the field at fault.
public struct TargetPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The plan field at fault (`repo`, `revision`, `cacheRevs`, ...).
    public var field: String
    /// The offending value, as given.
    public var value: String
    /// What is wrong and what is expected.
    public var reason: String

    /// Creates an error.
    public init(field: String, value: String, reason: String) {
        self.field = field
        self.value = value
        self.reason = reason
    }

    /// `invalid <field> '<value>': <reason>`.
    public var description: String { "invalid \(field) '\(value)': \(reason)" }
}
