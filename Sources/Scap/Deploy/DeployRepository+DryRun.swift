import Foundation

extension DeployRepository {
    /// The identity of a `--dry-run`: the commit of `rev`, with a `scap/dry-run/YYYY-MM-DD/HHMMSS` name for its
    /// log file. Unlike ``prepare(rev:user:config:configFiles:date:)`` it makes no tag and writes no `DEPLOY_HEAD`.
    /// - Throws: ``DeployError`` when `rev` names no commit.
    public func dryRunRevision(rev: String, user: String, date: Date = Date()) async throws(DeployError)
        -> DeployRevision
    {
        let commit = try await resolve(rev)
        let timestamp = DeployLockHolder.utcTimestamp(date)
        let name =
            "scap/dry-run/"
            + timestamp.replacingOccurrences(of: " ", with: "/")
            .replacingOccurrences(of: ":", with: "")
        return DeployRevision(tag: name, commit: commit, user: user, timestamp: timestamp)
    }
}
