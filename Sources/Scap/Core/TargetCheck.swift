/// A check run on the target around a stage: a shell command that must exit 0 within its timeout.
///
/// A failing `before` check prevents the stage; `after` checks run only when the stage was not a no-op. The
/// stage then fails with `Check '<name>' failed: <output>`.
public struct TargetCheck: Sendable, Hashable {
    /// When a check runs relative to its stage.
    public enum Timing: String, Sendable, Hashable {
        /// Before the stage.
        case before
        /// After the stage, when it did something.
        case after
    }

    /// The check's name, quoted in the failure message.
    public var name: String
    /// The shell command (run with `sh -c` on the target, standard input from /dev/null).
    public var command: String
    /// The stage it belongs to.
    public var stage: DeployStage
    /// Before or after the stage.
    public var timing: Timing
    /// Seconds before the check is killed and fails (scap's default: 30).
    public var timeout: Double

    /// Creates a check.
    public init(name: String, command: String, stage: DeployStage, timing: Timing, timeout: Double = 30) {
        self.name = name
        self.command = command
        self.stage = stage
        self.timing = timing
        self.timeout = timeout
    }
}
