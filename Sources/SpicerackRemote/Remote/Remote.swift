import Cumin
import Logging
import NodeSet

/// The entry point to remote execution for cookbooks: selects hosts with cumin queries and hands out
/// ``RemoteHosts`` that run commands on them (Spicerack's `Remote`).
///
/// ```swift
/// let remote = Remote(configuration: try Configuration.load(path: "/etc/cumin/config.yaml"), dryRun: false,
///                     logger: Logger(label: "spicerack.remote"))
/// let hosts = try remote.query("A:cumin")
/// let results = try await hosts.runSync("systemctl is-active nginx", isSafe: true)
/// ```
/// Dry-run is threaded into every ``RemoteHosts``: commands not marked safe are only logged.
public struct Remote: Sendable {
    /// Cumin's configuration: backends, aliases, SSH options, fanout, command timeout.
    public let configuration: Configuration
    /// Whether commands not marked safe are skipped.
    public let dryRun: Bool
    /// Where execution details go; label it `spicerack.remote` so they land in the cookbook's extended log.
    public let logger: Logger
    /// Where cumin's report is printed.
    public let output: RemoteOutput
    /// The transport every run uses instead of the one the configuration names (tests).
    public let transport: (any Transport)?
    /// Called with the hosts of every run that is actually sent to them (not for commands skipped in dry-run).
    public let onExecute: (@Sendable (NodeSet) -> Void)?

    /// Creates a remote.
    /// - Parameters:
    ///   - configuration: cumin's configuration (``Configuration/load(path:)``).
    ///   - dryRun: skip commands not marked safe.
    ///   - logger: the `spicerack.remote` logger; every command's grouped output is logged on it at debug level.
    ///   - output: where cumin's report goes; the process's terminal by default.
    ///   - transport: a transport to use for every run instead of the configured one, e.g. in tests.
    ///   - onExecute: called with the hosts of every run that is actually sent to them, e.g. to record the hosts a
    ///     cookbook touched.
    public init(
        configuration: Configuration, dryRun: Bool, logger: Logger = Logger(label: "spicerack.remote"),
        output: RemoteOutput = .standard(), transport: (any Transport)? = nil,
        onExecute: (@Sendable (NodeSet) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.dryRun = dryRun
        self.logger = logger
        self.output = output
        self.transport = transport
        self.onExecute = onExecute
    }

    /// Selects the hosts matching a cumin query (global grammar, or the default backend's grammar).
    /// - Parameters:
    ///   - query: e.g. `A:cumin`, `D{host[1-3]}`, `host[1-3] and not host2`.
    ///   - useSudo: prefix every command run on the hosts with `sudo -i `.
    /// - Throws: ``RemoteError`` `Failed to execute Cumin query: <cumin's error, with the position>`, or
    ///   `No hosts provided` when the query selects nothing.
    public func query(_ query: String, useSudo: Bool = false) throws(RemoteError) -> RemoteHosts {
        let hosts: NodeSet
        do {
            let result = try Query(configuration: configuration).evaluate(query)
            for warning in result.warnings { logger.warning("\(warning)") }
            hosts = result.hosts
        } catch {
            throw RemoteError("Failed to execute Cumin query: \(error)")
        }
        return try self.hosts(hosts, useSudo: useSudo)
    }

    /// A ``RemoteHosts`` for a host set that is already known.
    /// - Throws: ``RemoteError`` `No hosts provided` when `hosts` is empty.
    public func hosts(_ hosts: NodeSet, useSudo: Bool = false) throws(RemoteError) -> RemoteHosts {
        guard !hosts.isEmpty else { throw RemoteError("No hosts provided") }
        return RemoteHosts(remote: self, hosts: hosts, useSudo: useSudo)
    }

    /// The transport for one run: the override, or the configured one (see Cumin's `TransportSelection`).
    func makeTransport(commandCount: Int) throws(RemoteError) -> any Transport {
        if let transport { return transport }
        do {
            return try TransportSelection.make(
                TransportRequest(
                    configuration: configuration,
                    connectionReuse: configuration.clustershell.persistConnections != nil
                        ? .persistent : commandCount > 1 ? .session : ConnectionReuse.none,
                    // As cumin: one stream per host, so identical hosts always land in one output group (two pipes
                    // read apart interleave by arrival, and identical hosts could be split).
                    logger: logger, mergeStandardError: true))
        } catch {
            throw RemoteError("Unable to set up the \(configuration.transport) transport: \(error.message)")
        }
    }
}
