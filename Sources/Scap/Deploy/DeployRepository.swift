import Foundation

/// The deploy host's side of a deploy repository: revisions, `scap/sync/*` tags, `.git/DEPLOY_HEAD` and the
/// files dumb-HTTP targets fetch.
///
/// ```swift
/// let repository = DeployRepository(root: "/srv/deployment/citoid/deploy")
/// let revision = try await repository.prepare(rev: "HEAD", user: "deployer", config: config)
/// ```
public struct DeployRepository: Sendable {
    /// The top of the working tree (the directory holding `scap/`).
    public var root: String

    /// The deploy tag prefix.
    public static let tagPrefix = "scap/sync/"

    /// Keys of the configuration copied into `DEPLOY_HEAD` when they are set.
    public static let deployHeadKeys = [
        "cache_revs", "config_deploy", "environment", "git_deploy_dir", "git_fat", "git_binary_manager",
        "git_server", "git_scheme", "git_repo", "git_rev", "git_submodules", "git_upstream_submodules", "nrpe_dir",
        "perform_checks", "require_valid_service", "service_name", "service_port", "service_timeout",
    ]
    // `config_files` (the rendered templates) is added by ``prepare(rev:user:config:configFiles:date:)``.

    /// Creates the repository at `root`.
    public init(root: String) { self.root = root }

    var git: GitCommand { GitCommand(directory: root) }

    /// The full commit id of `rev` (a sha, tag, branch or `HEAD`).
    /// - Throws: ``DeployError`` when `rev` names no commit.
    public func resolve(_ rev: String) async throws(DeployError) -> String {
        do {
            return try await git.run(["rev-parse", "--verify", "--quiet", "\(rev)^{commit}"])
        } catch {
            throw DeployError("revision '\(rev)' is not a commit of \(root): check -r/--rev or git_rev")
        }
    }

    /// The commit of the newest deploy tag, or `nil` when there is none.
    public func lastDeployedCommit() async -> String? {
        guard let tags = try? await git.run(["tag", "--list", "--sort=-refname", Self.tagPrefix + "*"]),
            let newest = tags.split(separator: "\n").first
        else { return nil }
        return try? await resolve(String(newest))
    }

    /// The next deploy tag for `date`: `scap/sync/YYYY-MM-DD/NNNN`, one more than the day's highest.
    public func nextTag(date: Date = Date()) async throws(DeployError) -> String {
        let day = Self.utcDay(date)
        let prefix = Self.tagPrefix + day + "/"
        let existing = try await git.run(["tag", "--list", prefix + "*"])
        let highest = existing.split(separator: "\n").compactMap { Int($0.dropFirst(prefix.count)) }.max() ?? 0
        let number = String(highest + 1)
        return prefix + String(repeating: "0", count: max(0, 4 - number.count)) + number
    }

    /// Creates the deploy's annotated tag and `.git/DEPLOY_HEAD`, prunes old deploy tags, and refreshes the
    /// dumb-HTTP info files.
    /// - Parameters:
    ///   - rev: the revision to deploy.
    ///   - user: who deploys (tag message and `DEPLOY_HEAD`).
    ///   - config: the configuration whose set keys go into `DEPLOY_HEAD`.
    ///   - configFiles: the rendered `config_deploy` files, inlined into `DEPLOY_HEAD` as `config_files`.
    ///   - date: the deploy's time.
    /// - Throws: ``DeployError`` for an unknown revision or a git failure.
    public func prepare(
        rev: String, user: String, config: ScapConfig, configFiles: [RenderedConfigFile] = [], date: Date = Date()
    ) async throws(DeployError) -> DeployRevision {
        let commit = try await resolve(rev)
        let tag = try await nextTag(date: date)
        let timestamp = DeployLockHolder.utcTimestamp(date)
        let revision = DeployRevision(tag: tag, commit: commit, user: user, timestamp: timestamp)
        try await git.run([
            "-c", "user.name=\(user)", "-c", "user.email=\(user)@\(ProcessInfo.processInfo.hostName)",
            "tag", "-a", tag, "-m", "user \(user)", "-m", "timestamp \(timestamp)", commit,
        ])
        try writeDeployHead(revision, config: config, configFiles: configFiles)
        try await pruneTags(keeping: config.tagsToKeep)
        try await git.run(["update-server-info"])
        return revision
    }

    /// Deletes the oldest `scap/sync/*` tags beyond the newest `count` (`tags_to_keep`).
    public func pruneTags(keeping count: Int) async throws(DeployError) {
        let tags = try await git.run(["tag", "--list", "--sort=-refname", Self.tagPrefix + "*"])
            .split(separator: "\n").map(String.init)
        guard tags.count > count else { return }
        try await git.run(["tag", "-d"] + tags.dropFirst(max(count, 0)))
    }

    /// The path of `.git/DEPLOY_HEAD`.
    public var deployHeadPath: String { (root as NSString).appendingPathComponent(".git/DEPLOY_HEAD") }

    /// Writes `.git/DEPLOY_HEAD`: a JSON object of the tag, commit, user, timestamp, the set deploy keys and, when
    /// there are any, `config_files`: each rendered file's template and content by final path.
    func writeDeployHead(_ revision: DeployRevision, config: ScapConfig, configFiles: [RenderedConfigFile] = [])
        throws(DeployError)
    {
        var fields: [String: JSONValue] = [
            "tag": .string(revision.tag), "commit": .string(revision.commit), "user": .string(revision.user),
            "timestamp": .string(revision.timestamp), "log_json": .bool(true),
        ]
        for key in Self.deployHeadKeys {
            guard let value = config[key] else { continue }
            fields[key] = value.deployHeadValue
        }
        var files: [String: JSONValue] = [:]
        for file in configFiles {
            files[file.path] = .object(["template": .string(file.template), "content": .string(file.content)])
        }
        if !files.isEmpty { fields["config_files"] = .object(files) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            try encoder.encode(fields).write(to: URL(fileURLWithPath: deployHeadPath))
        } catch {
            throw DeployError("cannot write \(deployHeadPath): \(error.localizedDescription)")
        }
    }

    /// Where targets fetch from: `<git_scheme>://<git_server>/<git_repo>/.git`, or this repository as `file://`
    /// when `git_server` is not set (targets that share the deploy host's file system).
    public func gitURL(config: ScapConfig) -> String {
        if let server = config.gitServer, !server.isEmpty, let repo = config.gitRepo {
            return "\(config.gitScheme)://\(server)/\(repo)/.git"
        }
        return "file://" + root
    }

    /// `YYYY-MM-DD` in UTC.
    static func utcDay(_ date: Date) -> String { String(DeployLockHolder.utcTimestamp(date).prefix(10)) }
}

extension ConfigValue {
    /// The value as it is written into `DEPLOY_HEAD`.
    var deployHeadValue: JSONValue {
        switch self {
        case .string(let value): .string(value)
        case .int(let value): .int(value)
        case .double(let value): .double(value)
        case .bool(let value): .bool(value)
        case .list(let values): .array(values.map(JSONValue.string))
        case .failureLimit(let limit): .string(limit.description)
        }
    }
}
