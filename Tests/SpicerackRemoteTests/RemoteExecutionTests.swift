import Cumin
import Foundation
import NodeSet
import SpicerackRemote
import Synchronization
import TestBed
import TestSupport
import Testing

/// `RemoteHosts.runSync`/`runAsync` over real OpenSSH: every test starts its own bed of loopback sshds.
@Suite(.tags(.sshd), .serialized) struct RemoteExecutionTests {
    @Test func runSyncGroupsIdenticalOutputsWithBothStreamsInOrder() async throws {
        try await withCuminBed { _, configuration in
            let console = Console.memory()
            let hosts = try makeRemote(configuration, console: console).query("host[1-3]")
            let results = try await hosts.runSync("echo same", "echo out-$CUMIN_TESTBED_HOST; echo err >&2")
            #expect(results.wasExecuted)
            #expect(results.groups(command: 0).map(\.hosts.description) == ["host[1-3]"])
            #expect(results.groups(command: 0).map(\.output) == ["same"])
            let second = results.groups(command: 1)
            #expect(second.count == 3)
            // As cumin (and Spicerack over ClusterShell): standard error is merged into the output, in the order the
            // command wrote it.
            #expect(Set(second.map(\.output)) == ["out-host1\nerr", "out-host2\nerr", "out-host3\nerr"])
            for host in results.hosts {
                #expect(host.results.map(\.exitCode) == [0, 0])
                #expect(host.results[1].stdoutText == "out-\(host.name)\nerr\n")
                #expect(host.results[1].stderrText == "")
            }
            #expect(results.map(\.commandIndex) == [0, 1, 1, 1])
            // Cumin's report layout on the console.
            let stdout = console.capturedStdout
            #expect(
                stdout.contains(
                    "===== NODE GROUP =====\n(3) host[1-3]\n----- OUTPUT for command #1: 'echo same' -----\nsame\n"))
            #expect(stdout.contains("(1) host2\n----- OUTPUT for command #2: "))
            #expect(
                console.capturedStderr.contains(
                    "100.0% (3/3) success ratio (>= 100.0% threshold) of nodes successfully executed all commands."))
        }
    }

    /// Identical hosts writing to both streams land in one group every time (read from two pipes, the streams
    /// interleaved by arrival and split such hosts into several groups).
    @Test func identicalMixedOutputIsOneGroupOnManyHosts() async throws {
        try await withCuminBed(hosts: 6) { _, configuration in
            let hosts = try makeRemote(configuration, console: Console.memory()).query("host[1-6]")
            let command = "printf 'a\\nb\\n'; echo err >&2; echo c"
            let results = try await hosts.runSync(command, command, command)
            for index in 0..<3 {
                let groups = results.groups(command: index)
                #expect(groups.map(\.hosts.description) == ["host[1-6]"], "command #\(index + 1)")
                #expect(groups.map(\.output) == ["a\nb\nerr\nc"], "command #\(index + 1)")
            }
        }
    }

    @Test func runAsyncRunsEachHostsListOnItsOwn() async throws {
        try await withCuminBed { _, configuration in
            let hosts = try makeRemote(configuration).query("host[1-3]")
            let results = try await hosts.runAsync("echo one-$CUMIN_TESTBED_HOST", "echo two")
            #expect(results.groups(command: 1).map(\.hosts.description) == ["host[1-3]"])
            #expect(results.hosts.allSatisfy { $0.results.map(\.stdoutText) == ["one-\($0.name)\n", "two\n"] })

            let error = try await #require(throws: RemoteExecutionError.self) {
                try await hosts.runAsync(
                    "test $CUMIN_TESTBED_HOST != host2", "echo done", successThreshold: 0.5)
            }
            #expect(error.exitCode == 1)
            #expect(error.failedHosts.description == "host2")
            #expect(error.results.host("host2")?.results.count == 1)
            #expect(error.results.groups(command: 1).map(\.hosts.description) == ["host[1,3]"])
        }
    }

    @Test func failureThrowsRemoteExecutionErrorWithTheExitCode() async throws {
        try await withCuminBed(hosts: 2) { _, configuration in
            let console = Console.memory()
            let hosts = try makeRemote(configuration, console: console).query("host[1-2]")
            let error = try await #require(throws: RemoteExecutionError.self) {
                try await hosts.runSync("echo failing; exit 3")
            }
            #expect(error.exitCode == 2)
            #expect(error.description == "Cumin execution failed (exit_code=2)")
            #expect(error.failedHosts.description == "host[1-2]")
            #expect(error.results.hosts.allSatisfy { $0.exitCodes == [3] && $0.state == .failed })
            #expect(error.results.groups.map(\.output) == ["failing"])
            #expect(
                console.capturedStderr.contains(
                    "100.0% (2/2) of nodes failed to execute command #1: 'echo failing; exit 3': host[1-2]"))

            // Accepted exit codes come from the command.
            let accepted = try await hosts.runSync([Command("exit 3", okCodes: [3])])
            #expect(accepted.hosts.allSatisfy { $0.state == .success })
        }
    }

    @Test func successThresholdLetsTheRunGoOnButStillFails() async throws {
        try await withCuminBed { bed, configuration in
            let hosts = try makeRemote(configuration).query("host[1-3]")
            let commands = ["test $CUMIN_TESTBED_HOST != host2", "touch /srv/second-command-ran"]
            let strict = try await #require(throws: RemoteExecutionError.self) {
                try await hosts.runSync(commands[0], commands[1])
            }
            #expect(strict.exitCode == 2)
            #expect(
                bed.hosts.allSatisfy {
                    !FileManager.default.fileExists(atPath: bed.srvPath(of: $0) + "/second-command-ran")
                })

            let lenient = try await #require(throws: RemoteExecutionError.self) {
                try await hosts.runSync(commands[0], commands[1], successThreshold: 0.6)
            }
            #expect(lenient.exitCode == 1)
            #expect(lenient.failedHosts.description == "host2")
            let ran = bed.hosts.filter {
                FileManager.default.fileExists(atPath: bed.srvPath(of: $0) + "/second-command-ran")
            }
            #expect(ran == ["host1", "host3"])
        }
    }

    @Test func batchSizeAndSleepPaceTheHosts() async throws {
        try await withCuminBed { _, configuration in
            let hosts = try makeRemote(configuration).query("host[1-3]")
            let results = try await hosts.runSync(
                "date +%s.%N", batchSize: .count(1), batchSleep: .milliseconds(400), printOutput: false)
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

    @Test func dryRunSkipsUnsafeCommandsAndRunsSafeOnes() async throws {
        try await withCuminBed(hosts: 2) { bed, configuration in
            let recorder = LogRecorder()
            let console = Console.memory()
            let hosts = try makeRemote(configuration, dryRun: true, recorder: recorder, console: console)
                .query("host[1-2]")
            let skipped = try await hosts.runSync("touch /srv/unsafe")
            #expect(!skipped.wasExecuted)
            #expect(skipped.isEmpty)
            #expect(skipped.hosts.isEmpty)
            #expect(
                recorder.messages(at: .debug).contains("Executing commands ['touch /srv/unsafe'] on 2 hosts: host[1-2]")
            )
            #expect(console.capturedStdout.isEmpty && console.capturedStderr.isEmpty)

            let safe = try await hosts.runSync("touch /srv/safe; echo touched", isSafe: true)
            #expect(safe.groups.map(\.output) == ["touched"])
            for host in bed.hosts {
                #expect(!FileManager.default.fileExists(atPath: bed.srvPath(of: host) + "/unsafe"))
                #expect(FileManager.default.fileExists(atPath: bed.srvPath(of: host) + "/safe"))
            }
            // As in Spicerack, a failing safe command does not raise in dry-run mode.
            let failed = try await hosts.runSync("exit 5", isSafe: true)
            #expect(failed.hosts.allSatisfy { $0.exitCodes == [5] })
        }
    }

    @Test func outputsAreLoggedAtDebugLevelForTheExtendedLog() async throws {
        try await withCuminBed(hosts: 2) { _, configuration in
            let recorder = LogRecorder()
            let hosts = try makeRemote(configuration, recorder: recorder).query("host[1-2]")
            try await hosts.runSync("echo logged-$CUMIN_TESTBED_HOST", printOutput: false)
            let debug = recorder.messages(at: .debug)
            #expect(
                debug.contains("Output for command #1 'echo logged-$CUMIN_TESTBED_HOST' on (1) host1:\nlogged-host1"))
            #expect(
                debug.contains("Output for command #1 'echo logged-$CUMIN_TESTBED_HOST' on (1) host2:\nlogged-host2"))
            #expect(debug.contains { $0.contains("100.0% (2/2) success ratio") })
            #expect(recorder.records.allSatisfy { $0.label == "spicerack.remote" })

            // The reporter's summary lines reach the logger at debug level only, even for a failure.
            _ = try? await hosts.runSync("false", printOutput: false)
            #expect(recorder.records.allSatisfy { $0.level == .debug })
            #expect(
                recorder.messages(at: .debug).contains { $0.contains("of nodes failed to execute command #1: 'false'") }
            )
        }
    }

    @Test func printingFollowsTheOptions() async throws {
        try await withCuminBed(hosts: 2) { _, configuration in
            let console = Console.memory()
            let hosts = try makeRemote(configuration, console: console).query("host[1-2]")
            // Without printOutput nothing is printed (Spicerack's NullReporter); standard error is not a terminal, so
            // there are no progress bars either.
            try await hosts.runSync("echo quiet", printOutput: false)
            #expect(console.capturedStdout.isEmpty)
            #expect(console.capturedStderr.isEmpty)
            try await hosts.runSync("echo loud")
            #expect(console.capturedStdout.contains("----- OUTPUT for command #1: 'echo loud' -----\nloud\n"))
            #expect(
                console.capturedStderr.contains(
                    "100.0% (2/2) success ratio (>= 100.0% threshold) for command #1: 'echo loud'."))
            // No progress bars and no carriage-return redraws when standard error is not a terminal.
            #expect(!console.capturedStderr.contains("PASS"))
            #expect(!console.capturedStderr.contains("\r"))
        }
    }

    @Test func parsedTurnsGroupsIntoValues() async throws {
        try await withCuminBed { _, configuration in
            let hosts = try makeRemote(configuration).query("host[1-3]")
            let results = try await hosts.runSync(
                "test $CUMIN_TESTBED_HOST = host2 && echo 2 || echo 1", "echo x", printOutput: false)
            let values = results.parsed(command: 0) { Int($0) }
            #expect(values.count == 2)
            #expect(Set(values.map { "\($0.hosts)=\($0.value ?? -1)" }) == ["host[1,3]=1", "host2=2"])
            #expect(results.parsed { $0 }.count == 3)
        }
    }
}

/// What is sent to the transport, checked on a recording transport (no sudo needed on the hosts).
@Suite struct RemoteCommandLineTests {
    @Test func useSudoPrefixesEveryCommand() async throws {
        let transport = RecordingTransport()
        let recorder = LogRecorder()
        let hosts = try makeRemote(offlineConfiguration(), recorder: recorder, transport: transport)
            .query("host[1-2]", useSudo: true)
        try await hosts.runSync("systemctl restart nginx", "uptime")
        #expect(
            transport.log.sent.map(\.command.command).sorted() == [
                "sudo -i systemctl restart nginx", "sudo -i systemctl restart nginx", "sudo -i uptime",
                "sudo -i uptime",
            ])
        #expect(
            recorder.messages.contains(
                "Executing commands ['sudo -i systemctl restart nginx', 'sudo -i uptime'] on 2 hosts: host[1-2]"))
        let plain = try makeRemote(offlineConfiguration(), transport: transport).query("host3")
        try await plain.runSync("uptime")
        #expect(transport.log.sent.last?.command.command == "uptime")
    }

    @Test func onExecuteSeesTheHostsOfRunsThatAreSent() async throws {
        let touched = TouchedHosts()
        let remote = Remote(
            configuration: offlineConfiguration(), dryRun: true, logger: LogRecorder().logger(),
            output: RemoteOutput(console: .memory()), transport: RecordingTransport { _, _ in ("12.5 3.0\n", 0) },
            onExecute: { touched.add($0) })
        try await remote.query("host[1-2]").runSync("reboot")
        #expect(touched.hosts.isEmpty)
        try await remote.query("host[3-4]").runSync("uptime", isSafe: true)
        #expect(try await remote.query("host5").uptime().map(\.seconds) == [12.5])
        #expect(touched.hosts == ["host[3-4]", "host5"])
    }

    @Test func configuredCommandTimeoutAppliesToCommandsWithoutOne() async throws {
        var configuration = offlineConfiguration()
        configuration.clustershell.commandTimeout = 7.5
        let transport = RecordingTransport()
        let hosts = try makeRemote(configuration, transport: transport).query("host1")
        try await hosts.runSync([Command("a"), Command("b", timeout: .seconds(2))])
        #expect(transport.log.sent.map(\.command.timeout) == [.milliseconds(7500), .seconds(2)])
    }
}

/// The host sets `Remote.onExecute` was called with.
final class TouchedHosts: Sendable {
    private let storage = Mutex<[String]>([])
    func add(_ hosts: NodeSet) { storage.withLock { $0.append(hosts.description) } }
    var hosts: [String] { storage.withLock { $0 } }
}
