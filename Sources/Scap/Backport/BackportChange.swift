/// One change to backport, as a ``ChangeSource`` describes it.
public struct BackportChange: Sendable, Equatable {
    /// Where a change stands in its source.
    public enum Status: String, Sendable, Equatable {
        /// Open: waiting to be merged.
        case new = "NEW"
        /// Already in the deploy branch.
        case merged = "MERGED"
        /// Abandoned: never to be merged.
        case abandoned = "ABANDONED"
    }

    /// What the deployer named it (`12345`, a branch, a commit).
    public var id: String
    /// Gerrit's change number, when it has one.
    public var number: Int?
    /// The patchset deployed, when the source has patchsets.
    public var patchset: Int?
    /// The full commit id of the change (its current revision).
    public var commit: String
    /// The ref it was read from (`refs/changes/45/12345/2`, `refs/heads/topic`), if any.
    public var ref: String?
    /// The subject line of its commit message.
    public var subject: String
    /// Who wrote it.
    public var owner: String
    /// The branch it targets (the deploy branch, or another one: not deployable).
    public var branch: String
    /// Its status in the source.
    public var status: Status
    /// Whether it can be merged without a rebase, when the source says.
    public var mergeable: Bool?
    /// Gerrit's topic, if any.
    public var topic: String?
    /// The commits it needs that are not in the deploy branch (its unmerged ancestors), as full ids.
    public var dependencies: [String]
    /// Whether it is a security change: its details are sent as sensitive output in machine mode.
    public var security: Bool

    /// Creates a change description.
    public init(
        id: String, number: Int? = nil, patchset: Int? = nil, commit: String, ref: String? = nil, subject: String,
        owner: String, branch: String, status: Status, mergeable: Bool? = nil, topic: String? = nil,
        dependencies: [String] = [], security: Bool = false
    ) {
        self.id = id
        self.number = number
        self.patchset = patchset
        self.commit = commit
        self.ref = ref
        self.subject = subject
        self.owner = owner
        self.branch = branch
        self.status = status
        self.mergeable = mergeable
        self.topic = topic
        self.dependencies = dependencies
        self.security = security
    }

    /// The first 10 hex digits of the commit.
    public var shortCommit: String { String(commit.prefix(10)) }

    /// `12345,2` for a Gerrit change, else the id given.
    public var label: String {
        if let number { return patchset.map { "\(number),\($0)" } ?? String(number) }
        return id
    }
}

/// What validating a batch of changes found: every problem at once, before anything is merged or deployed.
public struct ChangeProblems: Sendable, Equatable {
    /// One line per problem (`change 12345: abandoned`).
    public var problems: [String]

    /// Checks a batch: unknown changes are already reported by the source; here abandoned changes, changes for
    /// another branch, and dependencies neither merged nor in the batch.
    public static func check(_ changes: [BackportChange], deployBranch: String) -> ChangeProblems {
        var problems: [String] = []
        let commits = Set(changes.map(\.commit))
        for change in changes {
            if change.status == .abandoned {
                problems.append("change \(change.label) (\(change.subject)): abandoned, it cannot be backported")
            }
            if change.branch != deployBranch {
                problems.append(
                    "change \(change.label) (\(change.subject)): targets branch '\(change.branch)', not the deploy "
                        + "branch '\(deployBranch)'; it is not deployable")
            }
            for dependency in change.dependencies where !commits.contains(dependency) {
                problems.append(
                    "change \(change.label) (\(change.subject)): depends on \(dependency.prefix(10)), which is "
                        + "neither merged nor in this batch; add it to the command line or merge it first")
            }
        }
        return ChangeProblems(problems: problems)
    }

    /// Orders a batch so that every change comes after the changes it depends on (stable otherwise).
    public static func ordered(_ changes: [BackportChange]) -> [BackportChange] {
        var done: Set<String> = []
        var result: [BackportChange] = []
        var pending = changes
        // Each pass places at least one change unless the rest form a cycle, which git history cannot.
        for _ in 0..<(changes.count + 1) where !pending.isEmpty {
            let batch = Set(pending.map(\.commit))
            let ready = pending.filter { change in
                change.dependencies.allSatisfy { done.contains($0) || !batch.contains($0) || $0 == change.commit }
            }
            if ready.isEmpty { break }
            for change in ready { done.insert(change.commit) }
            result += ready
            pending.removeAll { done.contains($0.commit) }
        }
        return result + pending
    }
}
