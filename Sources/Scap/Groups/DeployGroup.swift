/// One server group of a deploy: its hosts, how it is split and how many failures it tolerates.
public struct DeployGroup: Sendable, Equatable {
    /// A batch of a group deployed before the user is asked to continue.
    public struct Subgroup: Sendable, Equatable {
        /// `<group>` when the group is not split, else `<group>1`, `<group>2`, ….
        public var label: String
        /// The hosts of this batch.
        public var hosts: [String]
    }

    /// The group name from `server_groups` (`canary`, `default`, …).
    public var name: String
    /// The hosts of the group, without those of earlier groups, in list order.
    public var hosts: [String]
    /// The target-list file the hosts came from.
    public var targetList: String
    /// `<group>_failure_limit` or `failure_limit`.
    public var failureLimit: FailureLimit
    /// `<group>_group_size` or `group_size` (`nil`: the whole group at once).
    public var groupSize: Int?

    /// The batches: the whole group, or consecutive runs of at most ``groupSize`` hosts.
    public var subgroups: [Subgroup] {
        guard let groupSize, groupSize < hosts.count else { return [Subgroup(label: name, hosts: hosts)] }
        return stride(from: 0, to: hosts.count, by: groupSize).enumerated().map { number, start in
            Subgroup(label: "\(name)\(number + 1)", hosts: Array(hosts[start..<min(start + groupSize, hosts.count)]))
        }
    }

    /// The failures tolerated before the group is aborted (the deploy aborts when more fail).
    public var allowedFailures: Int { failureLimit.allowedFailures(groupSize: hosts.count) }
}
