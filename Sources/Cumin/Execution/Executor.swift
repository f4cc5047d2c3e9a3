import NodeSet

/// Runs commands on many hosts with cumin's execution strategies.
///
/// ```swift
/// let transport = try OpenSSHTransport(configuration: config)
/// let executor = Executor(transport: transport, options: ExecutionOptions(batchSize: .count(10)))
/// let results = try await executor.run([Command("uptime")], on: try NodeSet("web[1-20]"))
/// for group in results.outputGroups(command: 0) { print(group.hosts, group.text) }
/// ```
/// Cancelling the calling task stops the run: running commands are killed, no new host starts, and the
/// results say what finished (status ``ExecutionStatus/interrupted``).
public struct Executor: Sendable {
    /// How commands reach the hosts.
    public var transport: any Transport
    /// Mode, batch size and sleep, success threshold, global timeout.
    public var options: ExecutionOptions
    /// Who is told about progress.
    public var observer: any ExecutionObserver
    /// Whether the run leaves the transport's connections open for a later run (the caller then calls
    /// ``Transport/shutdown(hosts:)``); by default they are shut down when the run ends.
    public var keepsConnections = false
    /// Each host's own command line, sent in place of the command's (see ``run(_:commandLines:)``).
    private var commandLines: [String: String] = [:]

    /// Creates an executor.
    public init(
        transport: any Transport, options: ExecutionOptions = ExecutionOptions(),
        observer: any ExecutionObserver = SilentObserver()
    ) {
        self.transport = transport
        self.options = options
        self.observer = observer
    }

    /// Runs `commands` on `hosts` and returns every host's results.
    /// - Throws: ``ExecutionError`` for unusable arguments (no command, no host, a batch size that selects none,
    ///   a threshold outside 0...1); failures on hosts are results, not errors.
    public func run(_ commands: [Command], on hosts: NodeSet) async throws(ExecutionError) -> ExecutionResults {
        guard !commands.isEmpty else { throw ExecutionError("no command to run; give at least one command") }
        guard !hosts.isEmpty else { throw ExecutionError("no host to run on: the host set is empty") }
        guard (0...1).contains(options.successThreshold) else {
            throw ExecutionError("success threshold \(options.successThreshold) is outside 0...1")
        }
        let names = hosts.nodes
        let batch = try options.batchSize?.resolve(total: names.count) ?? names.count
        let run = ExecutionRun(hosts: names, commands: commands, successThreshold: options.successThreshold)
        let deadline = options.globalTimeout.map { ContinuousClock.now + $0 }
        switch options.mode {
        case .sync: await runSync(run, batch: batch, deadline: deadline)
        case .async: await runAsync(run, batch: batch, deadline: deadline)
        }
        if !keepsConnections { await transport.shutdown(hosts: names) }
        let results = run.snapshot()
        observer.executionDidComplete(results: results)
        return results
    }

    /// Runs `command` on the hosts of `commandLines`, each with its own command line in place of the command's
    /// (e.g. a script with that host's parameters), in one run: one batch window, one success threshold. The
    /// command's timeout and ok codes apply to every host, and its text names the command in the results.
    /// - Throws: ``ExecutionError`` for unusable arguments, as ``run(_:on:)``.
    public func run(_ command: Command, commandLines: [String: String]) async throws(ExecutionError)
        -> ExecutionResults
    {
        var executor = self
        executor.commandLines = commandLines
        return try await executor.run([command], on: NodeSet(nodes: commandLines.keys))
    }

    // MARK: - Strategies

    private func runSync(_ run: ExecutionRun, batch: Int, deadline: ContinuousClock.Instant?) async {
        let names = run.names
        let single = run.total == 1
        for index in run.commands.indices {
            let command = run.commands[index]
            let targets = (0..<run.total).filter { run.states[$0] == .pending }
            observer.executionWillStart(command: index, hostCount: run.total)
            await schedule(run, targets: targets, batch: batch, deadline: deadline) { host in
                await self.execute(command, index: index, on: names[host], single: single)
            } record: { host, outcome in
                guard case .single(let result) = outcome else { return .failed }
                return run.record(result, host: host, command: index)
            }
            if run.globalTimeoutExpired {
                run.status = .timedOut
                observer.globalTimeoutDidExpire(results: run.snapshot())
            }
            observer.commandDidComplete(index, results: run.snapshot())
            if run.interrupted {
                run.status = .interrupted
                return
            }
            if run.globalTimeoutExpired { return }
            let successRatio = Double(run.count(.success)) / Double(run.total)
            if successRatio < run.successThreshold {
                run.status = .failed
                return
            }
            run.status = successRatio == 1 ? .succeeded : .completedWithFailures
            if index == run.commands.count - 1 { return }
            for host in 0..<run.total where run.states[host] == .success {
                run.setState(host, .pending)
            }
        }
    }

    private func runAsync(_ run: ExecutionRun, batch: Int, deadline: ContinuousClock.Instant?) async {
        observer.executionWillStart(command: nil, hostCount: run.total)
        let commands = run.commands
        let names = run.names
        let single = run.total == 1
        await schedule(run, targets: Array(0..<run.total), batch: batch, deadline: deadline) { host in
            var results: [TransportResult] = []
            for (index, command) in commands.enumerated() {
                let outcome = await self.execute(command, index: index, on: names[host], single: single)
                guard case .single(let result) = outcome else { break }
                results.append(result)
                let succeeded =
                    !result.cancelled && !result.timedOut
                    && result.exitCode.map(command.isSuccess(exitCode:)) == true
                if !succeeded { break }
            }
            return .chain(results)
        } record: { host, outcome in
            guard case .chain(let results) = outcome else { return .failed }
            var state = HostState.failed
            for (index, result) in results.enumerated() {
                state = run.record(result, host: host, command: index)
            }
            return state
        }
        if run.globalTimeoutExpired {
            run.status = .timedOut
            observer.globalTimeoutDidExpire(results: run.snapshot())
        } else if run.interrupted {
            run.status = .interrupted
        } else {
            let successRatio = Double(run.count(.success)) / Double(run.total)
            run.status =
                successRatio == 1
                ? .succeeded : successRatio < run.successThreshold ? .failed : .completedWithFailures
        }
    }

    // MARK: - Scheduling

    /// What one host task produced.
    enum HostOutcome: Sendable {
        case single(TransportResult)
        case chain([TransportResult])
    }

    private enum Event: Sendable {
        case host(Int, HostOutcome)
        case batchTimer
        case deadline(fired: Bool)
        case ignored
    }

    /// Runs `work` on `targets` with a sliding window of `batch` committed hosts, at most `fanout` at once,
    /// a batch sleep after each completion, the success threshold checked before each new host, and the deadline.
    private func schedule(
        _ run: ExecutionRun, targets: [Int], batch: Int, deadline: ContinuousClock.Instant?,
        work: @escaping @Sendable (Int) async -> HostOutcome,
        record: (Int, HostOutcome) -> HostState
    ) async {
        let fanout = max(1, transport.fanout)
        let sleep = options.batchSleep
        var queue = Array(targets.prefix(batch))
        var queueHead = 0
        var cursor = queue.count
        for host in queue { run.setState(host, .scheduled) }

        await withTaskGroup(of: Event.self) { group in
            var running = 0
            var outstanding = 0
            var stopped = false

            if let deadline {
                group.addTask {
                    do {
                        try await Task.sleep(until: deadline, clock: .continuous)
                        return .deadline(fired: true)
                    } catch {
                        return .deadline(fired: false)
                    }
                }
            }

            func launch() {
                while !stopped, running < fanout, queueHead < queue.count {
                    let host = queue[queueHead]
                    queueHead += 1
                    run.setState(host, .running)
                    running += 1
                    outstanding += 1
                    group.addTask { .host(host, await work(host)) }
                }
            }

            func promote() {
                guard !stopped, cursor < targets.count, run.isAboveThreshold else { return }
                let host = targets[cursor]
                cursor += 1
                run.setState(host, .scheduled)
                queue.append(host)
            }

            launch()
            while outstanding > 0, let event = await group.next() {
                if Task.isCancelled && !run.interrupted && !run.globalTimeoutExpired {
                    run.interrupted = true
                    stopped = true
                }
                switch event {
                case .host(let host, let outcome):
                    outstanding -= 1
                    running -= 1
                    let state = record(host, outcome)
                    observer.hostDidComplete(run.names[host], state: state)
                    guard !stopped else { continue }
                    // No sleep once every host has been scheduled: nothing is left to space out.
                    if sleep > .zero && cursor < targets.count {
                        outstanding += 1
                        group.addTask {
                            do {
                                try await Task.sleep(for: sleep)
                                return .batchTimer
                            } catch {
                                return .ignored
                            }
                        }
                    } else {
                        promote()
                    }
                    launch()
                case .batchTimer:
                    outstanding -= 1
                    promote()
                    launch()
                case .ignored:
                    outstanding -= 1
                case .deadline(let fired):
                    guard fired else { continue }
                    run.globalTimeoutExpired = true
                    stopped = true
                    group.cancelAll()
                }
            }
            group.cancelAll()
        }
    }

    private func execute(_ generic: Command, index: Int, on host: String, single: Bool) async -> HostOutcome {
        var command = generic
        if let line = commandLines[host] { command.command = line }
        if single {
            observer.singleHostCommandWillStart(index, command)
            let observer = self.observer
            return .single(await transport.run(command, on: host, output: { observer.liveOutput($0, from: $1) }))
        }
        return .single(await transport.run(command, on: host, output: nil))
    }
}
