import Foundation

/// Changes as refs of the deploy repository's upstream remote: a number N is Gerrit's layout
/// `refs/changes/NN/N/P` at its highest patchset P, anything else a branch of the remote or a commit.
///
/// Merging fetches the deploy branch, merges each change into it (a fast-forward when possible, else a merge
/// commit) and pushes the result upstream. A conflict aborts before anything is pushed, naming the change and the
/// files.
/// ```swift
/// let source = try await GitChangeSource(root: root, remote: "origin", branch: nil)
/// let changes = try await source.resolve(["12345"])
/// ```
public struct GitChangeSource: ChangeSource {
    /// The deploy repository's working tree.
    public var root: String
    /// The upstream remote's name.
    public var remote: String
    /// The branch changes are merged into.
    public var deployBranch: String

    var git: GitCommand { GitCommand(directory: root) }

    /// Creates the source; `branch` `nil` means the deploy repository's current branch.
    /// - Throws: ``BackportError`` when the remote does not exist or HEAD is not on a branch.
    public init(root: String, remote: String, branch: String?) async throws(BackportError) {
        self.root = root
        self.remote = remote
        guard Self.isSafeRefName(remote) else {
            throw BackportError(.usage, "backport_remote '\(remote)' is not a valid remote name")
        }
        let git = GitCommand(directory: root)
        if let branch {
            guard Self.isSafeRefName(branch) else {
                throw BackportError(.usage, "backport_branch '\(branch)' is not a valid branch name")
            }
            deployBranch = branch
        } else {
            guard let current = try? await git.run(["symbolic-ref", "--quiet", "--short", "HEAD"]), !current.isEmpty
            else {
                throw BackportError(
                    .usage,
                    "the deploy repository \(root) is not on a branch: check out the deploy branch or set "
                        + "backport_branch in scap.cfg")
            }
            deployBranch = current
        }
        guard (try? await git.run(["remote", "get-url", remote])) != nil else {
            throw BackportError(
                .usage,
                "the deploy repository \(root) has no remote '\(remote)': add it (git remote add) or set "
                    + "backport_remote in scap.cfg")
        }
    }

    /// Whether `name` can be a ref or remote name that git will not read as an option.
    static func isSafeRefName(_ name: String) -> Bool {
        guard let first = name.first, first != "-", first != "/", !name.contains(".."), name.count <= 200 else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._/-".contains($0)) }
    }

    private func run(_ arguments: [String]) async throws(BackportError) -> String {
        do {
            return try await git.run(arguments)
        } catch {
            throw BackportError(.failed, error.message)
        }
    }

    private var upstream: String { "refs/remotes/\(remote)/\(deployBranch)" }

    /// Fetches the deploy branch (and every branch) of the remote.
    private func fetchBranches() async throws(BackportError) {
        _ = try await run(["fetch", "--quiet", "--", remote, "+refs/heads/*:refs/remotes/\(remote)/*"])
    }

    public func resolve(_ ids: [String]) async throws(BackportError) -> [BackportChange] {
        try await fetchBranches()
        var changes: [BackportChange] = []
        var unknown: [String] = []
        for id in ids {
            if let change = try await resolveOne(id) { changes.append(change) } else { unknown.append(id) }
        }
        guard unknown.isEmpty else {
            throw BackportError(
                .changes,
                unknown.map {
                    "change '\($0)' not found in remote '\(remote)': expected a change number "
                        + "(refs/changes/NN/N/P), a branch or a commit"
                }.joined(separator: "\n"))
        }
        return changes
    }

    private func resolveOne(_ id: String) async throws(BackportError) -> BackportChange? {
        guard Self.isSafeRefName(id) else { return nil }
        if let number = Int(id), number > 0, id.allSatisfy(\.isNumber) {
            let suffix = String(number % 100)
            let shard = suffix.count == 1 ? "0" + suffix : suffix
            let listing = try await run(["ls-remote", "--", remote, "refs/changes/\(shard)/\(number)/*"])
            let patchsets: [(Int, String)] = listing.split(separator: "\n").compactMap { line in
                let parts = line.split(separator: "\t")
                guard parts.count == 2, let patchset = Int(parts[1].split(separator: "/").last ?? "") else {
                    return nil
                }
                return (patchset, String(parts[1]))
            }
            guard let (patchset, ref) = patchsets.max(by: { $0.0 < $1.0 }) else { return nil }
            let local = "refs/scap/backport/\(number)/\(patchset)"
            _ = try await run(["fetch", "--quiet", "--", remote, "+\(ref):\(local)"])
            return try await describe(
                id: id, commit: try await run(["rev-parse", "--verify", "\(local)^{commit}"]), ref: ref,
                number: number, patchset: patchset)
        }
        if let commit = try? await git.run([
            "rev-parse", "--verify", "--quiet", "refs/remotes/\(remote)/\(id)^{commit}",
        ]) {
            return try await describe(id: id, commit: commit, ref: "refs/heads/\(id)")
        }
        let hex = Set("0123456789abcdef")
        if id.count >= 7, id.count <= 64, id.allSatisfy(hex.contains),
            let commit = try? await git.run(["rev-parse", "--verify", "--quiet", "\(id)^{commit}"])
        {
            return try await describe(id: id, commit: commit, ref: nil)
        }
        return nil
    }

    /// Describes `commit`: subject, author, status against the deploy branch, and its unmerged ancestors.
    func describe(id: String, commit: String, ref: String?, number: Int? = nil, patchset: Int? = nil)
        async throws(BackportError) -> BackportChange
    {
        let subject = try await run(["log", "-1", "--format=%s", commit])
        let owner = try await run(["log", "-1", "--format=%an", commit])
        let trailer = try await run(["log", "-1", "--format=%(trailers:key=Security,valueonly)", commit])
        let merged = (try? await git.run(["merge-base", "--is-ancestor", commit, upstream])) != nil
        var dependencies: [String] = []
        if !merged {
            let unmerged = try await run(["rev-list", "--topo-order", commit, "^" + upstream])
            dependencies = unmerged.split(separator: "\n").map(String.init).filter { $0 != commit }
            // Only the nearest unmerged ancestors count: the parents of this commit that are not upstream.
            let parents = try await run(["rev-list", "--parents", "-n", "1", commit]).split(separator: " ").dropFirst()
            dependencies = dependencies.filter { dependency in parents.contains { $0 == dependency } }
        }
        let security = ["yes", "true", "1"].contains(
            trailer.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
        return BackportChange(
            id: id, number: number, patchset: patchset, commit: commit, ref: ref, subject: subject, owner: owner,
            branch: deployBranch, status: merged ? .merged : .new, dependencies: dependencies, security: security)
    }

    public func merge(_ changes: [BackportChange], context: ChangeMergeContext) async throws(BackportError) -> String {
        let dirty = try await run(["status", "--porcelain", "--untracked-files=no"])
        guard dirty.isEmpty else {
            throw BackportError(
                .changes, "the deploy repository \(root) has uncommitted changes; commit or stash them first:\n\(dirty)"
            )
        }
        let current = try? await git.run(["symbolic-ref", "--quiet", "--short", "HEAD"])
        guard current == deployBranch else {
            throw BackportError(
                .changes,
                "the deploy repository \(root) is on '\(current ?? "a detached HEAD")', not the deploy "
                    + "branch '\(deployBranch)': check it out first")
        }
        try await fetchBranches()
        let original = try await run(["rev-parse", "HEAD"])
        do {
            _ = try await git.run(["merge", "--quiet", "--ff-only", upstream])
        } catch {
            throw BackportError(
                .changes,
                "the deploy branch '\(deployBranch)' in \(root) has diverged from \(remote)/\(deployBranch); "
                    + "reconcile them first: \(error.message)")
        }
        let identity = [
            "-c", "user.name=\(context.user)", "-c", "user.email=\(context.user)@\(context.host)",
        ]
        for change in changes {
            if (try? await git.run(["merge-base", "--is-ancestor", change.commit, "HEAD"])) != nil {
                context.notify("Change \(change.label) is already merged", change.security)
                continue
            }
            if (try? await git.run(["merge", "--quiet", "--ff-only", change.commit])) != nil {
                context.notify("Merged change \(change.label) (\(change.subject)): fast-forward", change.security)
                continue
            }
            do {
                _ = try await git.run(
                    identity + [
                        "merge", "--quiet", "--no-ff", "--no-edit", "-m",
                        "Merge change \(change.label): \(change.subject)", change.commit,
                    ])
                context.notify("Merged change \(change.label) (\(change.subject)): merge commit", change.security)
            } catch {
                let files = (try? await git.run(["diff", "--name-only", "--diff-filter=U"])) ?? ""
                _ = try? await git.run(["merge", "--abort"])
                _ = try? await git.run(["reset", "--quiet", "--hard", original])
                let names = files.split(separator: "\n").joined(separator: ", ")
                throw BackportError(
                    .changes,
                    "change \(change.label) (\(change.subject)) conflicts with \(deployBranch)"
                        + (names.isEmpty ? "" : " in \(names)")
                        + "; nothing was merged or deployed: rebase the change and try again")
            }
        }
        let head = try await run(["rev-parse", "HEAD"])
        do {
            _ = try await git.run(["push", "--quiet", "--", remote, "HEAD:refs/heads/\(deployBranch)"])
        } catch {
            _ = try? await git.run(["reset", "--quiet", "--hard", original])
            throw BackportError(
                .changes, "cannot push \(deployBranch) to \(remote) (nothing was deployed): \(error.message)")
        }
        context.notify("Pushed \(deployBranch) at \(head.prefix(10)) to \(remote)", false)
        return head
    }

    public func pending() async throws(BackportError) -> [BackportChange] {
        try await fetchBranches()
        let listing = try await run(["ls-remote", "--", remote, "refs/changes/*"])
        var latest: [Int: (patchset: Int, ref: String)] = [:]
        for line in listing.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            guard parts.count == 2 else { continue }
            let components = parts[1].split(separator: "/")
            guard components.count == 5, let number = Int(components[3]), let patchset = Int(components[4]) else {
                continue
            }
            if latest[number].map({ $0.patchset < patchset }) ?? true { latest[number] = (patchset, String(parts[1])) }
        }
        var changes: [BackportChange] = []
        for number in latest.keys.sorted().prefix(500) {
            guard let change = try await resolveOne(String(number)), change.status == .new else { continue }
            changes.append(change)
        }
        return changes
    }

    public func revert(_ changes: [BackportChange], reason: String, user: String) async throws(BackportError)
        -> [BackportChange]
    {
        try await fetchBranches()
        let scratch = NSTemporaryDirectory() + "scap-backport-revert-\(UUID().uuidString.prefix(8))"
        _ = try await run(["worktree", "add", "--quiet", "--detach", scratch, upstream])
        let result = await revert(changes, reason: reason, user: user, in: GitCommand(directory: scratch))
        _ = try? await git.run(["worktree", "remove", "--force", scratch])
        return try result.get()
    }

    private func revert(_ changes: [BackportChange], reason: String, user: String, in worktree: GitCommand) async
        -> Result<[BackportChange], BackportError>
    {
        let identity = ["-c", "user.name=\(user)", "-c", "user.email=\(user)@\(ProcessInfo.processInfo.hostName)"]
        var reverts: [BackportChange] = []
        for change in changes {
            guard change.status == .merged else {
                return .failure(
                    BackportError(
                        .changes, "change \(change.label) (\(change.subject)) is not merged: there is nothing to revert"
                    ))
            }
            do {
                try await worktree.run(identity + ["revert", "--no-commit", change.commit])
                let message =
                    "Revert \"\(change.subject)\"\n\nThis reverts commit \(change.commit).\n\nReason: \(reason)"
                try await worktree.run(identity + ["commit", "--quiet", "-m", message])
                let commit = try await worktree.run(["rev-parse", "HEAD"])
                var revert = try await describe(id: String(commit.prefix(10)), commit: commit, ref: nil)
                revert.security = change.security
                reverts.append(revert)
            } catch {
                _ = try? await worktree.run(["revert", "--abort"])
                return .failure(
                    BackportError(
                        .changes, "cannot revert change \(change.label) (\(change.subject)): \(error)"))
            }
        }
        return .success(reverts)
    }
}

extension GitChangeSource {
    /// Fast-forwards the deploy branch of the working tree to the remote's (after Gerrit merged the changes).
    /// - Returns: the commit the branch is on.
    func fastForward(context: ChangeMergeContext) async throws(BackportError) -> String {
        let current = try? await git.run(["symbolic-ref", "--quiet", "--short", "HEAD"])
        guard current == deployBranch else {
            throw BackportError(
                .changes,
                "the deploy repository \(root) is on '\(current ?? "a detached HEAD")', not the deploy "
                    + "branch '\(deployBranch)': check it out first")
        }
        do {
            try await git.run(["fetch", "--quiet", "--", remote, "+refs/heads/*:refs/remotes/\(remote)/*"])
            try await git.run(["merge", "--quiet", "--ff-only", "refs/remotes/\(remote)/\(deployBranch)"])
            let head = try await git.run(["rev-parse", "HEAD"])
            context.notify("Fetched \(deployBranch) at \(head.prefix(10)) from \(remote)", false)
            return head
        } catch {
            throw BackportError(.changes, "cannot fast-forward \(deployBranch) in \(root): \(error.message)")
        }
    }
}
