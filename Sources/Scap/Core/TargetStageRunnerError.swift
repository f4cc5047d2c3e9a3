/// A stage run that could not start at all (not a failure on a host: those are ``TargetHostOutcome``s).
public struct TargetStageRunnerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stage that was to run.
    public var stage: DeployStage
    /// Why it could not start.
    public var message: String

    /// Creates an error.
    public init(stage: DeployStage, message: String) {
        self.stage = stage
        self.message = message
    }

    /// `cannot run stage <stage>: <message>`.
    public var description: String { "cannot run stage \(stage): \(message)" }
}
