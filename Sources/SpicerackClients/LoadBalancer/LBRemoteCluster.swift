import Cumin
import Foundation
import Logging
import NodeSet
import SpicerackRemote

/// A failure of a rolling operation on a load-balanced cluster (Spicerack's `RemoteClusterExecutionError`): the
/// batches that failed, with cumin's errors, and the results of those that ran. Every host was repooled.
public struct LBClusterError: SpicerackRootError {
    /// What went wrong.
    public var message: String
    /// The failed batches' errors.
    public var failures: [RemoteExecutionError]
    /// The results of every batch that ran.
    public var results: [RemoteResults]

    /// Creates an error.
    public init(_ message: String, failures: [RemoteExecutionError] = [], results: [RemoteResults] = []) {
        self.message = message
        self.failures = failures
        self.results = results
    }

    /// The message, then the hosts of each failed batch.
    public var description: String {
        ([message] + failures.map { "  \($0.message) on \($0.failedHosts)" }).joined(separator: "\n")
    }
}

/// Hosts behind a load balancer, selected from conftool's `node` objects (Spicerack's `LBRemoteCluster`): commands
/// run batch by batch, each batch depooled (`pooled: no`) while its commands run and repooled (`pooled: yes`)
/// afterwards, also when the commands fail or the run is cancelled, so no host stays depooled.
///
/// ```swift
/// let nodes = try spicerack.confctl("node")
/// let cluster = try await spicerack.remote().queryConfctl(nodes, ["cluster": "appserver", "service": "nginx"])
/// try await cluster.restartServices(["nginx"], svcToDepool: ["nginx"], batchSize: 1)
/// ```
/// Only hosts that were pooled (`yes`) are depooled and repooled; `inactive` and `no` hosts are left as they are.
public struct LBRemoteCluster: Sendable {
    /// The hosts.
    public let hosts: RemoteHosts
    /// The `node` entity the hosts are pooled in.
    public let conftool: ConftoolEntity
    let logger: Logger

    /// Creates a cluster of `hosts` pooled in `conftool`.
    public init(hosts: RemoteHosts, conftool: ConftoolEntity, logger: Logger = Logger(label: "spicerack.remote")) {
        self.hosts = hosts
        self.conftool = conftool
        self.logger = logger
    }

    /// Runs `commands` on `batchSize` hosts at a time, each batch depooled from `svcToDepool` meanwhile (with nil,
    /// no depool: a plain async run in batches).
    /// - Parameters:
    ///   - batchSize: hosts per batch, at least 1 and fewer than the cluster (never the whole cluster at once).
    ///   - batchSleep: the pause after each batch.
    ///   - maxFailedBatches: how many batches may fail before the run stops (the failed ones are still repooled).
    /// - Returns: each batch's results.
    /// - Throws: ``LBClusterError`` when a batch failed (after the repool), or for a bad batch size; the conftool
    ///   and remote errors of the depool itself.
    @discardableResult
    public func run(
        _ commands: [Command], svcToDepool: [String]? = nil, batchSize: Int = 1, batchSleep: Duration? = nil,
        isSafe: Bool = false, maxFailedBatches: Int = 0, printOutput: Bool = true, printProgressBars: Bool = true
    ) async throws -> [RemoteResults] {
        let count = hosts.count
        guard batchSize > 0, batchSize < count else {
            throw LBClusterError("Values for batch_size must be 0 < x < \(count), got \(batchSize)")
        }
        guard let services = svcToDepool else {
            let threshold = 1.0 - Double(maxFailedBatches * batchSize) / Double(count)
            return [
                try await hosts.runAsync(
                    commands, successThreshold: max(threshold, 0), batchSize: .count(batchSize),
                    batchSleep: batchSleep, isSafe: isSafe, printOutput: printOutput,
                    printProgressBars: printProgressBars)
            ]
        }
        guard !services.isEmpty else { throw LBClusterError("No service to depool given") }
        let slices = hosts.split(into: (count + batchSize - 1) / batchSize)
        var results: [RemoteResults] = []
        var failures: [RemoteExecutionError] = []
        for (index, slice) in slices.enumerated() {
            let selectors = [
                "service": services.map(Self.escaped).joined(separator: "|"),
                "name": slice.hosts.nodes.map(Self.escaped).joined(separator: "|"),
            ]
            logger.info("Depooling \(slice) from \(services.joined(separator: ",")) (batch \(index + 1)/\(slices.count))")
            let failure: RemoteExecutionError? = try await conftool.changeAndRevert(
                "pooled", original: "yes", changed: "no", selectors
            ) { _ in
                do {
                    results.append(
                        try await slice.runAsync(
                            commands, successThreshold: 1.0, isSafe: isSafe, printOutput: printOutput,
                            printProgressBars: printProgressBars))
                    return nil
                } catch let error as RemoteExecutionError {
                    results.append(error.results)
                    return error
                }
            }
            logger.info("Repooled \(slice)")
            if let failure {
                failures.append(failure)
                if failures.count > maxFailedBatches { break }
            }
            if let batchSleep, index < slices.count - 1 { try await Task.sleep(for: batchSleep) }
        }
        guard failures.isEmpty else {
            throw LBClusterError(
                "\(failures.count) of \(slices.count) batches failed on \(hosts)", failures: failures, results: results)
        }
        return results
    }

    /// Restarts `services` (`systemctl restart '<service>'`) batch by batch, depooled from `svcToDepool`.
    @discardableResult
    public func restartServices(
        _ services: [String], svcToDepool: [String], batchSize: Int = 1, batchSleep: Duration? = nil,
        verbose: Bool = true
    ) async throws -> [RemoteResults] {
        try await act("restart", services, svcToDepool, batchSize, batchSleep, verbose)
    }

    /// Reloads `services` (`systemctl reload '<service>'`) batch by batch, depooled from `svcToDepool`.
    @discardableResult
    public func reloadServices(
        _ services: [String], svcToDepool: [String], batchSize: Int = 1, batchSleep: Duration? = nil,
        verbose: Bool = true
    ) async throws -> [RemoteResults] {
        try await act("reload", services, svcToDepool, batchSize, batchSleep, verbose)
    }

    private func act(
        _ verb: String, _ services: [String], _ svcToDepool: [String], _ batchSize: Int, _ batchSleep: Duration?,
        _ verbose: Bool
    ) async throws -> [RemoteResults] {
        try await run(
            services.map { Command("systemctl \(verb) \(shellSingleQuoted($0))") }, svcToDepool: svcToDepool,
            batchSize: batchSize, batchSleep: batchSleep, printOutput: verbose, printProgressBars: verbose)
    }

    /// A literal in a conftool selector: regular expression metacharacters escaped.
    static func escaped(_ text: String) -> String {
        NSRegularExpression.escapedPattern(for: text)
    }
}

extension Remote {
    /// The hosts of the conftool `node` objects matching `selectors`, as a load-balanced cluster (Spicerack's
    /// `query_confctl`).
    /// - Throws: ``LBClusterError`` when the conftool query fails or selects nothing.
    public func queryConfctl(_ conftool: ConftoolEntity, _ selectors: [String: String]) async throws(LBClusterError)
        -> LBRemoteCluster
    {
        let names: [String]
        do {
            names = try await conftool.get(selectors).map(\.name)
        } catch {
            throw LBClusterError("Failed to execute the conftool query: \(error)")
        }
        do {
            return LBRemoteCluster(hosts: try hosts(NodeSet(nodes: Set(names))), conftool: conftool, logger: logger)
        } catch {
            throw LBClusterError("Failed to select the hosts \(names): \(error)")
        }
    }
}
