/// Thrown by ``Cookbook/makeRunner(_:_:)`` to end a run successfully before it starts (Spicerack's
/// `CookbookInitSuccess`): the message is logged at INFO, the exit code is 0, and there is no lock, START, END or SAL.
public struct CookbookInitSuccess: Error, CustomStringConvertible, Sendable {
    /// Why there is nothing to do.
    public var message: String

    /// Creates the early exit with a message for the operator.
    public init(_ message: String = "") {
        self.message = message
    }

    public var description: String { message }
}
