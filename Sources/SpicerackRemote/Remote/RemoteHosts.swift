import Cumin
import Logging
import NodeSet

/// A non-empty set of hosts to run commands on (Spicerack's `RemoteHosts`).
///
/// Iterating yields one ``RemoteHosts`` per host, in host-set order:
/// ```swift
/// for host in try remote.query("D{web[1-3]}") {
///     try await host.runSync("systemctl restart nginx")
/// }
/// ```
public struct RemoteHosts: Sendable, Sequence, CustomStringConvertible {
    /// The remote that created these hosts: configuration, dry-run, logger, output.
    let remote: Remote
    /// The hosts.
    public let hosts: NodeSet
    /// Whether every command is prefixed with `sudo -i `.
    public let useSudo: Bool

    /// Hosts of `remote`; `hosts` must not be empty (``Remote/hosts(_:useSudo:)`` checks it).
    init(remote: Remote, hosts: NodeSet, useSudo: Bool) {
        self.remote = remote
        self.hosts = hosts
        self.useSudo = useSudo
    }

    /// The number of hosts.
    public var count: Int { hosts.count }
    /// Whether commands not marked safe are skipped.
    public var dryRun: Bool { remote.dryRun }
    /// The folded host set, e.g. `host[1-3]`.
    public var description: String { hosts.description }
    /// The logger of the remote.
    var logger: Logger { remote.logger }

    /// Splits the hosts into `n` consecutive slices of nearly equal size, the first ones one host larger
    /// (ClusterShell's `NodeSet.split`).
    ///
    /// `n` is clamped to `1...count`: asking for more slices than hosts gives one slice per host.
    public func split(into n: Int) -> [RemoteHosts] {
        let nodes = hosts.nodes
        let slices = Swift.min(Swift.max(n, 1), nodes.count)
        let size = nodes.count / slices
        let larger = nodes.count % slices
        var result: [RemoteHosts] = []
        var start = 0
        for index in 0..<slices {
            let length = size + (index < larger ? 1 : 0)
            result.append(with(NodeSet(nodes: nodes[start..<(start + length)])))
            start += length
        }
        return result
    }

    /// The hosts of `nodes`, which must be a non-empty subset of these hosts (Spicerack's `get_subset`).
    /// - Throws: ``RemoteError`` when `nodes` is empty or has hosts that are not in this set.
    public func subset(_ nodes: NodeSet) throws(RemoteError) -> RemoteHosts {
        guard !nodes.isEmpty else { throw RemoteError("No hosts provided") }
        let extra = nodes.subtracting(hosts)
        guard extra.isEmpty else {
            throw RemoteError(
                "The hosts \(nodes) are not a subset of \(hosts): \(extra) are not among them", hosts: extra)
        }
        return with(nodes)
    }

    /// One ``RemoteHosts`` per host.
    public func makeIterator() -> IndexingIterator<[RemoteHosts]> {
        hosts.nodes.map { with(NodeSet(nodes: [$0])) }.makeIterator()
    }

    /// The number of hosts, for `Sequence`.
    public var underestimatedCount: Int { count }

    /// The same remote and sudo setting on other (non-empty) hosts.
    private func with(_ nodes: NodeSet) -> RemoteHosts {
        RemoteHosts(remote: remote, hosts: nodes, useSudo: useSudo)
    }
}
