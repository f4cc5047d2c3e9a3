import Cumin
import NodeSet
import Testing

/// The scheduling rules of the engine, checked with a scripted transport (timing-independent where possible).
@Suite struct ExecutorTests {
    let hosts = (try? NodeSet("host[1-6]")) ?? NodeSet()

    @Test func syncRunsEveryCommandOnEveryHost() async throws {
        let transport = ScriptedTransport { host, _ in .init(output: "ok\n") }
        let executor = Executor(transport: transport)
        let results = try await executor.run([Command("a"), Command("b")], on: hosts)
        #expect(results.status == .succeeded)
        #expect(results.status.exitCode == 0)
        #expect(results.hosts.allSatisfy { $0.results.map(\.exitCode) == [0, 0] })
        #expect(transport.log.hosts(for: "b").count == 6)
        #expect(results.outputGroups(command: 1).map(\.hosts.description) == ["host[1-6]"])
    }

    @Test func syncAbortsBelowThresholdBeforeTheNextCommand() async throws {
        let transport = ScriptedTransport { host, command in .init(exitCode: host == "host3" && command == "a" ? 1 : 0)
        }
        let results = try await Executor(transport: transport).run([Command("a"), Command("b")], on: hosts)
        #expect(results.status == .failed)
        #expect(results.status.exitCode == 2)
        #expect(transport.log.hosts(for: "b").isEmpty)
        #expect(results.host("host3")?.state == .failed)
    }

    @Test func syncGoesOnAboveThresholdWithTheHostsThatSucceeded() async throws {
        let transport = ScriptedTransport { host, command in .init(exitCode: host == "host3" && command == "a" ? 1 : 0)
        }
        let options = ExecutionOptions(successThreshold: 0.5)
        let results = try await Executor(transport: transport, options: options)
            .run([Command("a"), Command("b")], on: hosts)
        #expect(results.status == .completedWithFailures)
        #expect(results.status.exitCode == 1)
        #expect(Set(transport.log.hosts(for: "b")) == ["host1", "host2", "host4", "host5", "host6"])
        #expect(results.succeeded.description == "host[1-2,4-6]")
    }

    @Test func asyncStopsEachHostAtItsFirstFailure() async throws {
        let transport = ScriptedTransport { host, command in
            .init(exitCode: (host == "host2" && command == "a") || (host == "host5" && command == "b") ? 1 : 0)
        }
        let options = ExecutionOptions(mode: .async, successThreshold: 0)
        let results = try await Executor(transport: transport, options: options)
            .run([Command("a"), Command("b"), Command("c")], on: hosts)
        #expect(!transport.log.hosts(for: "b").contains("host2"))
        #expect(!transport.log.hosts(for: "c").contains("host5"))
        #expect(transport.log.hosts(for: "c").count == 4)
        #expect(results.host("host2")?.lastExecutedCommandIndex == 0)
        #expect(results.host("host5")?.lastExecutedCommandIndex == 1)
        #expect(results.succeeded.description == "host[1,3-4,6]")
        #expect(results.status == .completedWithFailures)
    }

    @Test func batchSizeIsASlidingWindowInHostOrder() async throws {
        let transport = ScriptedTransport { _, _ in .init(delay: .milliseconds(300)) }
        let options = ExecutionOptions(batchSize: .count(2))
        _ = try await Executor(transport: transport, options: options).run([Command("a")], on: hosts)
        #expect(transport.log.maxInFlight == 2)
        #expect(transport.log.hosts(for: "a") == (1...6).map { "host\($0)" })
    }

    @Test func batchPercentageRoundsLikeCumin() throws {
        #expect(try BatchSize(parsing: "50%").resolve(total: 5) == 2)  // round(2.5) == 2, banker's rounding
        #expect(try BatchSize(parsing: "30%").resolve(total: 10) == 3)
        #expect(throws: ExecutionError.self) { try BatchSize(parsing: "1%").resolve(total: 10) }
        #expect(throws: ExecutionError.self) { try BatchSize(parsing: "0") }
        #expect(throws: ExecutionError.self) { try BatchSize(parsing: "101%") }
    }

    @Test func fanoutCapsConcurrencyWithoutABatch() async throws {
        let transport = ScriptedTransport(fanout: 3) { _, _ in .init(delay: .milliseconds(300)) }
        let results = try await Executor(transport: transport).run([Command("a")], on: try NodeSet("n[1-10]"))
        #expect(transport.log.maxInFlight == 3)
        #expect(results.status == .succeeded)
    }

    @Test func batchSleepSpacesOutNewHosts() async throws {
        let transport = ScriptedTransport { _, _ in .init() }
        let options = ExecutionOptions(batchSize: .count(1), batchSleep: .milliseconds(150))
        _ = try await Executor(transport: transport, options: options).run([Command("a")], on: try NodeSet("n[1-3]"))
        let starts = transport.log.starts.map(\.at)
        #expect(starts.count == 3)
        for (earlier, later) in zip(starts, starts.dropFirst()) {
            #expect(later - earlier >= .milliseconds(150))
        }
    }

    @Test func thresholdStopsSchedulingNewHosts() async throws {
        let transport = ScriptedTransport { host, _ in .init(exitCode: host == "host1" ? 1 : 0) }
        let options = ExecutionOptions(batchSize: .count(1))
        let results = try await Executor(transport: transport, options: options).run([Command("a")], on: hosts)
        #expect(transport.log.hosts(for: "a") == ["host1"])
        #expect(results.notStarted.description == "host[2-6]")
        #expect(results.status == .failed)
    }

    @Test func perCommandTimeoutMarksTheHost() async throws {
        let transport = ScriptedTransport { host, _ in .init(delay: host == "host2" ? .seconds(5) : .zero) }
        let options = ExecutionOptions(successThreshold: 0.5)
        let results = try await Executor(transport: transport, options: options)
            .run([Command("a", timeout: .milliseconds(100))], on: hosts)
        #expect(results.host("host2")?.state == .timeout)
        #expect(results.status == .completedWithFailures)
    }

    @Test func globalTimeoutStopsRunningAndPendingHosts() async throws {
        // Bounds are generous: other suites may hold the cooperative pool for seconds on a loaded 2-core machine.
        let transport = ScriptedTransport { _, _ in .init(delay: .seconds(60)) }
        let options = ExecutionOptions(batchSize: .count(2), globalTimeout: .milliseconds(200))
        let clock = ContinuousClock()
        let start = clock.now
        let results = try await Executor(transport: transport, options: options).run([Command("a")], on: hosts)
        #expect(clock.now - start < .seconds(30))
        #expect(results.globalTimeoutExpired)
        #expect(results.globalTimeoutRunning.description == "host[1-2]")
        #expect(results.notStarted.description == "host[3-6]")
        #expect(results.status == .timedOut)
        #expect(results.status.exitCode == 2)
    }

    @Test func cancellationInterruptsTheRun() async throws {
        let transport = ScriptedTransport { _, _ in .init(delay: .seconds(60)) }
        let executor = Executor(transport: transport, options: ExecutionOptions(batchSize: .count(2)))
        let hosts = self.hosts
        let task = Task { try await executor.run([Command("a")], on: hosts) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let results = try await task.value
        #expect(results.status == .interrupted)
        #expect(results.status.exitCode == 98)
        #expect(results.notStarted.count == 4)
    }

    @Test func eachHostRunsItsOwnCommandLineInOneRun() async throws {
        let transport = ScriptedTransport { host, command in .init(exitCode: command == "echo \(host)" ? 0 : 1) }
        let lines = Dictionary(uniqueKeysWithValues: hosts.nodes.map { ($0, "echo \($0)") })
        let options = ExecutionOptions(mode: .async, batchSize: .count(2), successThreshold: 1)
        let results = try await Executor(transport: transport, options: options)
            .run(Command("stage"), commandLines: lines)
        #expect(results.status == .succeeded)
        #expect(results.succeeded.description == "host[1-6]")
        #expect(transport.log.hosts(for: "echo host3") == ["host3"])
        #expect(transport.log.hosts(for: "stage").isEmpty)
    }

    @Test func rejectsUnusableArguments() async throws {
        let executor = Executor(transport: NoOpTransport())
        await #expect(throws: ExecutionError.self) { try await executor.run([], on: hosts) }
        await #expect(throws: ExecutionError.self) { try await executor.run([Command("a")], on: NodeSet()) }
    }

    @Test func noOpTransportScalesToThousandsOfHosts() async throws {
        let many = try NodeSet("host[1-5000]")
        let results = try await Executor(transport: NoOpTransport()).run([Command("true")], on: many)
        #expect(results.status == .succeeded)
        #expect(results.hosts.count == 5000)
    }
}
