/// What one stage did on one target.
public struct TargetHostOutcome: Sendable, Hashable {
    /// The host name.
    public var host: String
    /// ok, noop or failed.
    public var status: TargetStageStatus.Outcome
    /// The target's message: a summary, or why it failed (`Check 'x' failed: ...`, `Port N not up within Ns`,
    /// or the SSH problem when the script never reported).
    public var message: String
    /// The revision the stage worked on, when the target reported it.
    public var revision: String?
    /// Everything the script wrote to standard error (git, restart and check output), for the deploy log.
    public var output: String
    /// The exit code of the remote command (`255` for an SSH failure), when it exited.
    public var exitCode: Int32?

    /// Creates an outcome.
    public init(
        host: String, status: TargetStageStatus.Outcome, message: String, revision: String? = nil,
        output: String = "", exitCode: Int32? = nil
    ) {
        self.host = host
        self.status = status
        self.message = message
        self.revision = revision
        self.output = output
        self.exitCode = exitCode
    }
}
