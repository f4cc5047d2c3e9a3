import Cumin
import NodeSet

/// Runs one stage on a set of targets over SSH with cumin's executor (async mode) and reports each host's outcome.
///
/// ```swift
/// let runner = TargetStageRunner(configuration: cuminConfiguration, batchSize: .count(80), failureLimit: 0)
/// let outcomes = try await runner.run(.fetch, plan: plan, on: try NodeSet("scb[1001-1004].eqiad.wmnet"))
/// let failed = outcomes.values.filter { $0.status == .failed }
/// ```
/// As in scap, once more hosts than `failureLimit` have failed no new host starts; hosts in flight finish, and
/// the ones never started are reported failed with "not started".
public struct TargetStageRunner: Sendable {
    /// Cumin's configuration: the `clustershell` SSH options, user and connect timeout are used.
    public var configuration: Configuration
    /// The sliding window of hosts in flight (`batch_size`); all hosts when `nil`.
    public var batchSize: BatchSize?
    /// Per-stage windows (`<stage>_batch_size`), used instead of ``batchSize`` for their stages.
    public var stageBatchSizes: [DeployStage: BatchSize] = [:]
    /// Hosts allowed to fail before no new host starts (scap: 0 within a stage).
    public var failureLimit: Int
    /// The longest one stage may run on one host; unlimited when `nil`.
    public var stageTimeout: Duration?
    /// Told about progress (cumin's reporter, progress bars); silent by default.
    public var observer: any ExecutionObserver
    /// How a host's successive stages share a connection: with ``ConnectionReuse/session`` or
    /// ``ConnectionReuse/multiplexed`` one SSH login per host serves every stage until ``close()``.
    public let connectionReuse: ConnectionReuse
    /// The transport shared by the stages when connections are reused.
    let connections = TargetConnections()

    /// Creates a runner.
    public init(
        configuration: Configuration, batchSize: BatchSize? = nil, failureLimit: Int = 0,
        stageTimeout: Duration? = nil, observer: any ExecutionObserver = SilentObserver(),
        connectionReuse: ConnectionReuse = .none
    ) {
        self.connectionReuse = connectionReuse
        self.configuration = configuration
        self.batchSize = batchSize
        self.failureLimit = failureLimit
        self.stageTimeout = stageTimeout
        self.observer = observer
    }

    /// Runs `stage` of `plan` on every host of `hosts`.
    /// - Returns: each host's outcome, by host name.
    /// - Throws: ``TargetStageRunnerError`` when the run cannot start (no host, no `ssh`, bad batch size).
    public func run(_ stage: DeployStage, plan: TargetStagePlan, on hosts: NodeSet) async throws(TargetStageRunnerError)
        -> [String: TargetHostOutcome]
    {
        try await run(stage, plans: Dictionary(uniqueKeysWithValues: hosts.nodes.map { ($0, plan) }))
    }

    /// Runs `stage` with a plan per host (e.g. a port or restart command that differs per host), in one run.
    /// - Returns: each host's outcome, by host name.
    /// - Throws: ``TargetStageRunnerError`` when the run cannot start (no host, no `ssh`, bad batch size).
    public func run(_ stage: DeployStage, plans: [String: TargetStagePlan]) async throws(TargetStageRunnerError)
        -> [String: TargetHostOutcome]
    {
        guard !plans.isEmpty else { throw TargetStageRunnerError(stage: stage, message: "no target host given") }
        let total = plans.count
        let allowed = min(max(failureLimit, 0), total)
        let results: ExecutionResults
        do {
            results = try await execute(
                plans.mapValues { TargetScript.commandLine(stage, plan: $0) }, name: "scap-\(stage.rawValue)",
                batchSize: stageBatchSizes[stage] ?? batchSize,
                successThreshold: Double(total - allowed) / Double(total), observer: observer)
        } catch {
            throw TargetStageRunnerError(stage: stage, message: error.message)
        }
        var outcomes: [String: TargetHostOutcome] = [:]
        for host in plans.keys {
            outcomes[host] = Self.outcome(of: results.host(host), host: host)
        }
        return outcomes
    }

    /// Runs each host's command line in one cumin run (async mode) over the connections shared by the stages.
    /// - Parameter name: what the run is called in cumin's results (the lines themselves come from `commands`).
    /// - Throws: ``ExecutionError`` when SSH cannot be set up or the run cannot start.
    func execute(
        _ commands: [String: String], name: String, batchSize: BatchSize?, successThreshold: Double,
        observer: any ExecutionObserver
    ) async throws(ExecutionError) -> ExecutionResults {
        let transport: any Transport
        do {
            transport = try connections.transport(hosts: commands.keys) { () throws(ExecutionError) in
                try OpenSSHTransport(configuration: configuration, connectionReuse: connectionReuse)
            }
        } catch {
            throw ExecutionError("cannot set up SSH: \(error.message)")
        }
        let options = ExecutionOptions(mode: .async, batchSize: batchSize, successThreshold: successThreshold)
        var executor = Executor(transport: transport, options: options, observer: observer)
        executor.keepsConnections = connectionReuse != .none
        return try await executor.run(Command(name, timeout: stageTimeout), commandLines: commands)
    }

    /// Closes the connections kept between stages (remote shells or master connections); a later run opens
    /// new ones. Does nothing without connection reuse.
    public func close() async {
        guard let (transport, hosts) = connections.take() else { return }
        await transport.shutdown(hosts: hosts)
    }

    /// Reads a host's result: the script's status line when it printed one, else the SSH-level failure.
    static func outcome(of result: HostResult?, host: String) -> TargetHostOutcome {
        guard let result, let command = result.results.last else {
            return TargetHostOutcome(host: host, status: .failed, message: "not started: the failure limit was reached")
        }
        let output = command.stderrText
        if let status = TargetStageStatus.parse(command.stdoutText) {
            let failed = status.status == .failed || command.state != .success
            return TargetHostOutcome(
                host: host, status: failed ? .failed : status.status,
                message: failed && status.status != .failed ? "stage ended badly (\(command.state))" : status.message,
                revision: status.revision, output: output, exitCode: command.exitCode)
        }
        var reason: String
        switch command.state {
        case .timeout: reason = "timed out"
        default: reason = command.exitCode.map { "exited with \($0)" } ?? (command.problem ?? "failed")
        }
        if command.exitCode == 255 { reason = "SSH failed (exit 255)" }
        let tail = output.split(whereSeparator: \.isNewline).suffix(5).joined(separator: "\n")
        return TargetHostOutcome(
            host: host, status: .failed, message: "no status from the target: \(reason)" + (tail.isEmpty ? "" : ": \(tail)"),
            output: output, exitCode: command.exitCode)
    }
}
