/// One deploy's identity: its `scap/sync/YYYY-MM-DD/NNNN` tag and the commit it deploys, by whom and when.
public struct DeployRevision: Sendable, Equatable {
    /// The annotated tag created for this deploy.
    public var tag: String
    /// The full commit id deployed.
    public var commit: String
    /// Who deployed.
    public var user: String
    /// When, `YYYY-MM-DD HH:MM:SS` UTC.
    public var timestamp: String

    /// Creates a revision record.
    public init(tag: String, commit: String, user: String, timestamp: String) {
        self.tag = tag
        self.commit = commit
        self.user = user
        self.timestamp = timestamp
    }

    /// The first 7 digits of the commit, as in `[repo@abc1234]`.
    public var shortCommit: String { String(commit.prefix(7)) }

    /// The deploy log file name: the tag with `/` replaced by `-`, plus `.log`.
    public var logFileName: String { DeployLogDirectory.fileName(describe: tag) }
}
