import Cumin
import Foundation
import NodeSet
import TestBed
import TestSupport
import Testing

/// The engine over real OpenSSH: every test starts its own bed of loopback sshds.
@Suite(.tags(.sshd), .serialized) struct RemoteExecutionTests {
    private func run(
        _ commands: [Command], on query: String, _ configuration: Configuration,
        options: ExecutionOptions = ExecutionOptions(), reuse: ConnectionReuse = .none
    ) async throws -> ExecutionResults {
        let transport = try OpenSSHTransport(configuration: configuration, connectionReuse: reuse)
        return try await Executor(transport: transport, options: options).run(commands, on: try NodeSet(query))
    }

    @Test func runsOnEveryHostAndKeepsStreamsApart() async throws {
        try await withCuminBed { bed, configuration in
            let results = try await run(
                [Command("echo out-$CUMIN_TESTBED_HOST; echo err >&2")], on: "host[1-3]", configuration)
            #expect(results.status == .succeeded)
            for host in results.hosts {
                let result = try #require(host.results.first)
                #expect(result.exitCode == 0)
                #expect(result.stdoutText == "out-\(host.name)\n")
                #expect(result.stderrText == "err\n")
            }
            let same = try await run([Command("echo same")], on: "host[1-3]", configuration)
            #expect(same.outputGroups(command: 0).map(\.hosts.description) == ["host[1-3]"])
        }
    }

    @Test(arguments: [ConnectionReuse.none, .session])
    func mergedStreamsKeepTheOrderTheCommandWroteIn(reuse: ConnectionReuse) async throws {
        try await withCuminBed(hosts: 4) { _, configuration in
            let transport = try OpenSSHTransport(
                configuration: configuration, connectionReuse: reuse, mergeStandardError: true)
            let results = try await Executor(transport: transport).run(
                [Command("printf 'a\\nb\\n'; echo err >&2; echo c"), Command("echo e2 >&2; exit 3")],
                on: try NodeSet("host[1-4]"))
            for host in results.hosts {
                #expect(host.results.first?.stdoutText == "a\nb\nerr\nc\n")
                #expect(host.results.first?.stderrText == "")
                #expect(host.results.first?.outputText == "a\nb\nerr\nc")
            }
            #expect(results.outputGroups(command: 0).map(\.hosts.description) == ["host[1-4]"])
        }
    }

    @Test func nonZeroExitCodesFail() async throws {
        try await withCuminBed { _, configuration in
            let results = try await run([Command("exit 3")], on: "host[1-2]", configuration)
            #expect(results.status == .failed)
            #expect(results.hosts.allSatisfy { $0.state == .failed && $0.exitCodes == [3] })
            let accepted = try await run([Command("exit 3", okCodes: [])], on: "host[1-2]", configuration)
            #expect(accepted.status == .succeeded)
        }
    }

    @Test func unreachableHostFailsWithSSHsError() async throws {
        try await withCuminBed { bed, configuration in
            try bed.stopHost("host2")
            let results = try await run(
                [Command("true")], on: "host[1-3]", configuration, options: ExecutionOptions(successThreshold: 0.5))
            #expect(results.status == .completedWithFailures)
            let host2 = try #require(results.host("host2"))
            #expect(host2.state == .failed)
            #expect(host2.exitCodes == [255])
            #expect(host2.results.first?.stderrText.contains("Connection refused") == true)
        }
    }

    @Test func frozenHostTimesOut() async throws {
        try await withCuminBed { bed, configuration in
            try bed.freezeHost("host3")
            defer { try? bed.thawHost("host3") }
            let clock = ContinuousClock()
            let start = clock.now
            let results = try await run(
                [Command("true", timeout: .seconds(2))], on: "host[1-3]", configuration,
                options: ExecutionOptions(successThreshold: 0.5))
            #expect(clock.now - start < .seconds(20))
            #expect(results.host("host3")?.state == .timeout)
            #expect(results.host("host1")?.state == .success)
            #expect(results.status == .completedWithFailures)
        }
    }

    @Test func batchSizeAndSleepOrderTheHosts() async throws {
        try await withCuminBed(hosts: 3) { _, configuration in
            let options = ExecutionOptions(batchSize: .count(1), batchSleep: .milliseconds(400))
            let results = try await run([Command("date +%s.%N")], on: "host[1-3]", configuration, options: options)
            let times = results.hosts.compactMap {
                Double($0.results.first?.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
            }
            #expect(times.count == 3)
            #expect(times == times.sorted())
            for (earlier, later) in zip(times, times.dropFirst()) {
                #expect(later - earlier >= 0.4)
            }
        }
    }

    @Test func thresholdAbortsASyncRun() async throws {
        try await withCuminBed { bed, configuration in
            try bed.stopHost("host2")
            let marker = "/srv/second-command-ran"
            let results = try await run([Command("true"), Command("touch \(marker)")], on: "host[1-3]", configuration)
            #expect(results.status == .failed)
            #expect(results.hosts.allSatisfy { $0.results.count <= 1 })
            #expect(!FileManager.default.fileExists(atPath: bed.srvPath(of: "host1") + "/second-command-ran"))
        }
    }

    @Test func asyncHostsStopAtTheirFirstFailure() async throws {
        try await withCuminBed { bed, configuration in
            let options = ExecutionOptions(mode: .async, successThreshold: 0)
            let results = try await run(
                [Command("test $CUMIN_TESTBED_HOST != host2"), Command("echo done")], on: "host[1-3]", configuration,
                options: options)
            #expect(results.host("host2")?.results.count == 1)
            #expect(results.host("host1")?.results.last?.stdoutText == "done\n")
            #expect(results.succeeded.description == "host[1,3]")
            #expect(results.status == .completedWithFailures)
        }
    }

    @Test func globalTimeoutStopsTheRun() async throws {
        try await withCuminBed { _, configuration in
            let clock = ContinuousClock()
            let start = clock.now
            let options = ExecutionOptions(batchSize: .count(1), globalTimeout: .seconds(1))
            let results = try await run([Command("sleep 60")], on: "host[1-3]", configuration, options: options)
            #expect(clock.now - start < .seconds(20))
            #expect(results.status == .timedOut)
            #expect(results.globalTimeoutRunning.description == "host1")
            #expect(results.notStarted.description == "host[2-3]")
        }
    }

    @Test(arguments: [ConnectionReuse.session, .multiplexed])
    func connectionReuseSkipsHandshakes(mode: ConnectionReuse) async throws {
        try await withCuminBed { bed, configuration in
            let commands = (1...4).map { Command("echo \($0)") }
            let before = try bed.hosts.map { try bed.authenticationCount(of: $0) }
            let transport = try OpenSSHTransport(configuration: configuration, connectionReuse: mode)
            let reused = try await Executor(transport: transport).run(commands, on: try NodeSet("host[1-3]"))
            #expect(reused.status == .succeeded)
            #expect(reused.hosts.allSatisfy { $0.results.map(\.stdoutText) == ["1\n", "2\n", "3\n", "4\n"] })
            let middle = try bed.hosts.map { try bed.authenticationCount(of: $0) }
            #expect(zip(middle, before).map { $0 - $1 } == [1, 1, 1])
            if let controlDirectory = transport.controlDirectory {
                // Master connections are closed and their private directory removed at the end of the run.
                #expect(!FileManager.default.fileExists(atPath: controlDirectory))
            }
            let fresh = try await run(commands, on: "host[1-3]", configuration, reuse: .none)
            #expect(fresh.status == .succeeded)
            let after = try bed.hosts.map { try bed.authenticationCount(of: $0) }
            #expect(zip(after, middle).map { $0 - $1 } == [4, 4, 4])
        }
    }

    @Test func sessionsBehaveLikeSeparateCommands() async throws {
        try await withCuminBed { bed, configuration in
            try bed.stopHost("host3")
            let commands = [
                Command("printf 'no newline'; echo oops >&2"),
                Command("cat; echo \"it's\n  quoted\" | wc -l"),
                Command("cd /tmp; export X=1; exit 4", okCodes: [4]),
                Command("pwd; echo ${X:-unset}; test -z \"$PS1\""),
            ]
            let options = ExecutionOptions(successThreshold: 0)
            let results = try await run(commands, on: "host[1-3]", configuration, options: options, reuse: .session)
            let host1 = try #require(results.host("host1"))
            #expect(host1.state == .success)
            #expect(host1.results.map(\.exitCode) == [0, 0, 4, 0])
            #expect(host1.results[0].stdoutText == "no newline")
            #expect(host1.results[0].stderrText == "oops\n")
            #expect(host1.results[1].stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
            // Each command runs in its own shell: no state leaks from one to the next.
            #expect(host1.results[3].stdoutText.hasSuffix("unset\n"))
            #expect(!host1.results[3].stdoutText.hasPrefix("/tmp"))
            let host3 = try #require(results.host("host3"))
            #expect(host3.state == .failed)
            #expect(host3.exitCodes == [255])
            #expect(host3.results.first?.stderrText.contains("Connection refused") == true)
        }
    }

    @Test func sessionTimeoutKillsOnlyThatHost() async throws {
        try await withCuminBed { bed, configuration in
            try bed.setSlow("host2", delay: 5)
            let transport = try OpenSSHTransport(configuration: configuration, connectionReuse: .session)
            let options = ExecutionOptions(successThreshold: 0.5)
            let results = try await Executor(transport: transport, options: options)
                .run([Command("echo one", timeout: .seconds(2)), Command("echo two")], on: try NodeSet("host[1-3]"))
            #expect(results.host("host2")?.state == .timeout)
            #expect(results.host("host1")?.results.map(\.stdoutText) == ["one\n", "two\n"])
            try bed.setSlow("host2", delay: 0)
            let again = try await Executor(transport: transport).run([Command("echo back")], on: try NodeSet("host2"))
            #expect(again.host("host2")?.results.first?.stdoutText == "back\n")
        }
    }

    @Test func sessionOutputIsBounded() async throws {
        try await withCuminBed(hosts: 1) { _, configuration in
            let transport = try OpenSSHTransport(
                configuration: configuration, connectionReuse: .session, outputLimit: 1000)
            let results = try await Executor(transport: transport)
                .run(
                    [Command("head -c 100000 /dev/zero | tr '\\0' x"), Command("echo next")], on: try NodeSet("host1"))
            let host = try #require(results.host("host1"))
            #expect(host.state == .failed)
            #expect(host.results.count == 1)
            #expect(host.results[0].stderrText.contains("wrote more than 2000 bytes"))
            let again = try await Executor(transport: transport).run([Command("echo fine")], on: try NodeSet("host1"))
            #expect(again.host("host1")?.results.first?.stdoutText == "fine\n")
        }
    }
}
