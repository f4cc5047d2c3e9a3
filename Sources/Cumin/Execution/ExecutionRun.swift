import NodeSet

/// The mutable bookkeeping of one run, confined to the engine's task.
///
/// States are kept per host index with running counters, so every scheduling decision is O(1) and a run is
/// linear in the number of hosts (cumin rescans every host on every completion).
final class ExecutionRun {
    let names: [String]
    let commands: [Command]
    let successThreshold: Double
    private(set) var states: [HostState]
    private(set) var results: [[CommandResult]]
    private var counts = [Int](repeating: 0, count: HostState.allCases.count)
    private(set) var arrivalOrder: [(host: Int, command: Int)] = []
    var status: ExecutionStatus = .succeeded
    var globalTimeoutExpired = false
    var interrupted = false

    init(hosts: [String], commands: [Command], successThreshold: Double) {
        names = hosts
        self.commands = commands
        self.successThreshold = successThreshold
        states = [HostState](repeating: .pending, count: hosts.count)
        results = [[CommandResult]](repeating: [], count: hosts.count)
        counts[HostState.pending.index] = hosts.count
    }

    var total: Int { names.count }

    func count(_ state: HostState) -> Int { counts[state.index] }

    func setState(_ index: Int, _ state: HostState) {
        counts[states[index].index] -= 1
        counts[state.index] += 1
        states[index] = state
    }

    /// cumin's `is_above_threshold`: the share of hosts not failed nor timed out is still at least the threshold.
    var isAboveThreshold: Bool {
        1 - Double(count(.failed) + count(.timeout)) / Double(total) >= successThreshold
    }

    /// Records the outcome of one command on one host and returns the host's new state.
    @discardableResult
    func record(_ result: TransportResult, host index: Int, command commandIndex: Int) -> HostState {
        let command = commands[commandIndex]
        let state: HostState
        var problem = result.problem
        if result.cancelled {
            state = globalTimeoutExpired ? .timeout : .failed
            problem = globalTimeoutExpired ? "global timeout" : (problem ?? "interrupted")
        } else if result.timedOut {
            state = .timeout
            problem = "timed out after \(command.timeout.map { "\($0)" } ?? "?")"
        } else if let code = result.exitCode, command.isSuccess(exitCode: code) {
            state = .success
        } else {
            state = .failed
        }
        results[index].append(
            CommandResult(
                commandIndex: commandIndex, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr,
                combined: result.combined, duration: result.duration, state: state, problem: problem))
        if !result.combined.isEmpty { arrivalOrder.append((index, commandIndex)) }
        setState(index, state)
        return state
    }

    /// The results as they stand.
    func snapshot() -> ExecutionResults {
        var hosts: [HostResult] = []
        hosts.reserveCapacity(total)
        var notStarted: [String] = []
        var running: [String] = []
        for index in 0..<total {
            hosts.append(HostResult(name: names[index], state: states[index], results: results[index]))
            if states[index] == .pending || states[index] == .scheduled {
                notStarted.append(names[index])
            } else if globalTimeoutExpired, results[index].last?.problem == "global timeout" {
                running.append(names[index])
            }
        }
        return ExecutionResults(
            status: status, commands: commands, hosts: hosts, successThreshold: successThreshold,
            notStarted: NodeSet(nodes: notStarted), globalTimeoutRunning: NodeSet(nodes: running),
            globalTimeoutExpired: globalTimeoutExpired, arrivalOrder: arrivalOrder)
    }
}
