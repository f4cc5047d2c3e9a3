import NodeSet

/// The typed results of a run: overall status, and per host every command's exit code, output and duration.
public struct ExecutionResults: Sendable {
    /// The overall outcome; ``ExecutionStatus/exitCode`` is the CLI exit code.
    public var status: ExecutionStatus
    /// The commands of the run.
    public var commands: [Command]
    /// One entry per targeted host, in host-set order.
    public var hosts: [HostResult]
    /// The fraction of hosts that must succeed.
    public var successThreshold: Double
    /// Hosts that were never started because the run ended first (threshold, global timeout, Ctrl-C).
    public var notStarted: NodeSet
    /// Hosts that were running when the global timeout expired.
    public var globalTimeoutRunning: NodeSet
    /// Whether the global timeout expired.
    public var globalTimeoutExpired: Bool
    /// Order in which outputs arrived (host index, command index), for cumin-compatible grouping order.
    var arrivalOrder: [(host: Int, command: Int)]

    /// The result of one host, by name.
    public func host(_ name: String) -> HostResult? {
        hosts.first { $0.name == name }
    }

    /// Hosts whose final state is `state`.
    public func hosts(in state: HostState) -> NodeSet {
        NodeSet(nodes: hosts.lazy.filter { $0.state == state }.map(\.name))
    }

    /// Hosts that ran every command successfully.
    public var succeeded: NodeSet {
        NodeSet(
            nodes: hosts.lazy.filter { $0.state == .success && $0.lastExecutedCommandIndex == commands.count - 1 }
                .map(\.name))
    }

    /// Identical outputs of command `index` grouped by host set, in cumin's display order.
    ///
    /// Hosts that produced no output are in no group.
    public func outputGroups(command index: Int) -> [OutputGroup] {
        var tree = OutputTree()
        for arrival in arrivalOrder where arrival.command == index {
            let host = hosts[arrival.host]
            guard let result = host.results.first(where: { $0.commandIndex == index }) else { continue }
            tree.add(output: result.combined, for: arrival.host)
        }
        return tree.groups().map { group in
            OutputGroup(hosts: NodeSet(nodes: group.keys.map { hosts[$0].name }), lines: group.lines)
        }
    }
}

/// Hosts that produced exactly the same output for one command.
public struct OutputGroup: Sendable, Hashable {
    /// The hosts of the group.
    public var hosts: NodeSet
    /// The output lines, without line terminators.
    public var lines: [String]

    /// The output as one string, lines joined with `\n`.
    public var text: String { lines.joined(separator: "\n") }
}
