import Cumin
import CuminNativeSSH
import Foundation
import NodeSet
import TestBed
import TestSupport
import Testing

/// The native transport against real OpenSSH sshds, side by side with the OpenSSH transport.
@Suite(.tags(.sshd), .serialized) struct NativeSSHTransportTests {
    /// What both transports must agree on for one host.
    struct Summary: Equatable, CustomStringConvertible {
        var state: HostState
        var exitCodes: [Int32?]
        var stdout: [String]
        var stderr: [String]
        var description: String { "\(state) \(exitCodes) \(stdout) \(stderr)" }
    }

    private func summaries(_ results: ExecutionResults) -> [String: Summary] {
        var map: [String: Summary] = [:]
        for host in results.hosts {
            map[host.name] = Summary(
                state: host.state, exitCodes: host.results.map(\.exitCode), stdout: host.results.map(\.stdoutText),
                // ssh's own messages differ in wording; "Connection refused" and the like must be in both.
                stderr: host.results.map { $0.stderrText.contains("Connection refused") ? "refused" : $0.stderrText })
        }
        return map
    }

    private func both(
        _ commands: [Command], on query: String, _ configuration: Configuration,
        options: ExecutionOptions = ExecutionOptions(), before: () throws -> Void = {}
    ) async throws -> (openSSH: ExecutionResults, native: ExecutionResults) {
        try before()
        let openSSH = try await Executor(
            transport: try OpenSSHTransport(configuration: configuration, connectionReuse: .none), options: options
        ).run(commands, on: try NodeSet(query))
        try before()
        let native = try await Executor(transport: try NativeSSHTransport(configuration: configuration), options: options)
            .run(commands, on: try NodeSet(query))
        return (openSSH, native)
    }

    @Test func bothTransportsAgreeOnTheCuminScenarios() async throws {
        try await withBed(hosts: 3) { bed, configuration in
            // Outputs, streams apart, exit codes, an exit signal.
            var pair = try await both(
                [Command("echo out-$CUMIN_TESTBED_HOST; echo err >&2; test $CUMIN_TESTBED_HOST != host2 || exit 3")],
                on: "host[1-3]", configuration, options: ExecutionOptions(successThreshold: 0))
            #expect(summaries(pair.native) == summaries(pair.openSSH))
            #expect(pair.native.host("host2")?.exitCodes == [3])
            #expect(pair.native.host("host1")?.results.first?.stdoutText == "out-host1\n")
            #expect(pair.native.status == pair.openSSH.status)
            pair = try await both([Command("kill -TERM $$")], on: "host1", configuration)
            #expect(summaries(pair.native) == summaries(pair.openSSH))

            // Several commands, sync and async; each command gets its own shell.
            let commands = [Command("export X=1; echo a"), Command("echo ${X:-unset}"), Command("printf 'no newline'")]
            pair = try await both(commands, on: "host[1-3]", configuration)
            #expect(summaries(pair.native) == summaries(pair.openSSH))
            #expect(pair.native.host("host3")?.results.map(\.stdoutText) == ["a\n", "unset\n", "no newline"])
            pair = try await both(
                [Command("test $CUMIN_TESTBED_HOST != host2"), Command("echo done")], on: "host[1-3]", configuration,
                options: ExecutionOptions(mode: .async, successThreshold: 0))
            #expect(summaries(pair.native) == summaries(pair.openSSH))

            // A down host, and the threshold stopping a sync run.
            try bed.stopHost("host2")
            pair = try await both([Command("true"), Command("echo second")], on: "host[1-3]", configuration)
            #expect(summaries(pair.native) == summaries(pair.openSSH))
            #expect(pair.native.host("host2")?.exitCodes == [255])
            #expect(pair.native.status == .failed)
            pair = try await both(
                [Command("true")], on: "host[1-3]", configuration, options: ExecutionOptions(successThreshold: 0.5))
            #expect(summaries(pair.native) == summaries(pair.openSSH))
            try bed.startHost("host2")

            // Batches with a sleep keep the order.
            pair = try await both(
                [Command("date +%s.%N")], on: "host[1-3]", configuration,
                options: ExecutionOptions(batchSize: .count(1), batchSleep: .milliseconds(300)))
            let times = pair.native.hosts.compactMap { Double($0.results.first?.stdoutText.dropLast() ?? "") }
            #expect(times.count == 3 && times == times.sorted())

            // A frozen host times out, in about the timeout.
            try bed.freezeHost("host3")
            let start = ContinuousClock.now
            pair = try await both(
                [Command("true", timeout: .seconds(2))], on: "host[1-3]", configuration,
                options: ExecutionOptions(successThreshold: 0.5))
            #expect(ContinuousClock.now - start < .seconds(20))
            #expect(summaries(pair.native) == summaries(pair.openSSH))
            #expect(pair.native.host("host3")?.state == .timeout)
            try bed.thawHost("host3")

            // The global timeout.
            pair = try await both(
                [Command("sleep 30")], on: "host[1-3]", configuration,
                options: ExecutionOptions(batchSize: .count(1), globalTimeout: .seconds(1)))
            #expect(pair.native.status == .timedOut)
            #expect(pair.native.globalTimeoutRunning == pair.openSSH.globalTimeoutRunning)
            #expect(pair.native.notStarted == pair.openSSH.notStarted)
        }
    }

    @Test func commandsOfARunShareOneConnectionAndCtrlCClosesAtOnce() async throws {
        try await withBed(hosts: 2) { bed, configuration in
            let before = try bed.hosts.map { try bed.authenticationCount(of: $0) }
            let transport = try NativeSSHTransport(configuration: configuration)
            let results = try await Executor(transport: transport).run(
                (1...4).map { Command("echo \($0)") }, on: try NodeSet("host[1-2]"))
            #expect(results.hosts.allSatisfy { $0.results.map(\.stdoutText) == ["1\n", "2\n", "3\n", "4\n"] })
            let after = try bed.hosts.map { try bed.authenticationCount(of: $0) }
            #expect(zip(after, before).map { $0 - $1 } == [1, 1])

            let task = Task {
                try await Executor(transport: try NativeSSHTransport(configuration: configuration))
                    .run([Command("sleep 60")], on: try NodeSet("host[1-2]"))
            }
            try await Task.sleep(for: .seconds(1.5))
            let start = ContinuousClock.now
            task.cancel()
            let interrupted = try await task.value
            #expect(ContinuousClock.now - start < .seconds(3))
            #expect(interrupted.status == .interrupted)
        }
    }

    @Test func outputIsBounded() async throws {
        try await withBed(hosts: 1) { _, configuration in
            let transport = try NativeSSHTransport(configuration: configuration, outputLimit: 1000)
            let results = try await Executor(transport: transport).run(
                [Command("head -c 100000 /dev/zero | tr '\\0' x")], on: try NodeSet("host1"))
            #expect(results.host("host1")?.results.first?.stdout.count == 1000)
            #expect(results.host("host1")?.exitCodes == [0])
        }
    }

    /// An ssh_config for one bed host without the bed's lenient host-key settings.
    private func strictConfig(
        _ bed: TestBed, host: String, knownHosts: String, identity: String? = nil, extra: String = ""
    ) throws -> String {
        let endpoint = try bed.endpoint(of: host)
        let path = bed.directory + "/strict-\(UUID().uuidString.prefix(6))"
        try """
            Host \(host)
              HostName \(endpoint.address)
              Port \(endpoint.port)
              User \(bed.user)
              IdentityFile \(identity ?? bed.identityFile)
              IdentitiesOnly yes
              StrictHostKeyChecking yes
              UserKnownHostsFile \(knownHosts)
              GlobalKnownHostsFile /dev/null
              BatchMode yes
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func scan(_ bed: TestBed, _ host: String) throws -> String {
        let endpoint = try bed.endpoint(of: host)
        let scanned = try runTool(
            "/usr/bin/ssh-keyscan", ["-t", "ed25519", "-p", String(endpoint.port), endpoint.address])
        return scanned.output
    }

    private func runNative(_ configuration: Configuration, _ host: String, config: String,
                           passphrase: @escaping @Sendable (String) -> String? = { _ in nil })
        async throws -> (HostResult?, NativeSSHTransport)
    {
        var configuration = configuration
        configuration.clustershell.sshOptions = ["-F \(config)"]
        let transport = try NativeSSHTransport(configuration: configuration, passphrase: passphrase)
        let results = try await Executor(transport: transport).run([Command("echo ok")], on: try NodeSet(host))
        return (results.host(host), transport)
    }

    @Test func knownHostsAreEnforcedPlainAndHashed() async throws {
        try await withBed(hosts: 2) { bed, configuration in
            let known = bed.directory + "/known_hosts"
            let scanned = try scan(bed, "host1")
            #expect(scanned.contains("ssh-ed25519"))
            try scanned.write(toFile: known, atomically: true, encoding: .utf8)
            var (result, _) = try await runNative(configuration, "host1", config: try strictConfig(bed, host: "host1", knownHosts: known))
            #expect(result?.results.first?.stdoutText == "ok\n")

            // host2's key listed under host1's name: a mismatch, refused as OpenSSH refuses it.
            let endpoint1 = try bed.endpoint(of: "host1")
            let endpoint2 = try bed.endpoint(of: "host2")
            let wrong = try scan(bed, "host2").replacingOccurrences(
                of: "[\(endpoint2.address)]:\(endpoint2.port)", with: "[\(endpoint1.address)]:\(endpoint1.port)")
            try wrong.write(toFile: known, atomically: true, encoding: .utf8)
            (result, _) = try await runNative(configuration, "host1", config: try strictConfig(bed, host: "host1", knownHosts: known))
            #expect(result?.exitCodes == [255])
            #expect(result?.results.first?.stderrText.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") == true)
            #expect(result?.results.first?.stderrText.contains("Host key verification failed.") == true)

            // Unknown host with strict checking: refused; with accept-new: learned and written.
            try "".write(toFile: known, atomically: true, encoding: .utf8)
            (result, _) = try await runNative(configuration, "host1", config: try strictConfig(bed, host: "host1", knownHosts: known))
            #expect(result?.results.first?.stderrText.contains("No ED25519 host key is known") == true)
            let acceptNew = try strictConfig(bed, host: "host1", knownHosts: known)
            try String(contentsOfFile: acceptNew, encoding: .utf8)
                .replacingOccurrences(of: "StrictHostKeyChecking yes", with: "StrictHostKeyChecking accept-new")
                .write(toFile: acceptNew, atomically: true, encoding: .utf8)
            (result, _) = try await runNative(configuration, "host1", config: acceptNew)
            #expect(result?.exitCodes == [0])
            #expect(try String(contentsOfFile: known, encoding: .utf8).contains("ssh-ed25519"))

            // Hashed by ssh-keygen -H: still recognised.
            try scanned.write(toFile: known, atomically: true, encoding: .utf8)
            #expect(try runTool("/usr/bin/ssh-keygen", ["-H", "-f", known]).status == 0)
            #expect(try String(contentsOfFile: known, encoding: .utf8).hasPrefix("|1|"))
            (result, _) = try await runNative(configuration, "host1", config: try strictConfig(bed, host: "host1", knownHosts: known))
            #expect(result?.results.first?.stdoutText == "ok\n")
        }
    }

    @Test func encryptedKeyWithPassphrase() async throws {
        try await withBed(hosts: 1) { bed, configuration in
            let key = bed.directory + "/encrypted_key"
            try FileManager.default.copyItem(atPath: bed.identityFile, toPath: key)
            #expect(try runTool("/usr/bin/ssh-keygen", ["-p", "-q", "-P", "", "-N", "secret words", "-f", key]).status == 0)
            #expect(OpenSSHPrivateKey.isEncrypted(try String(contentsOfFile: key, encoding: .utf8)))
            let config = try strictConfig(bed, host: "host1", knownHosts: "/dev/null", identity: key)
                .replacingOccurrences(of: "", with: "")
            try String(contentsOfFile: config, encoding: .utf8)
                .replacingOccurrences(of: "StrictHostKeyChecking yes", with: "StrictHostKeyChecking no")
                .write(toFile: config, atomically: true, encoding: .utf8)
            var (result, transport) = try await runNative(configuration, "host1", config: config) { _ in "secret words" }
            #expect(result?.results.first?.stdoutText == "ok\n")
            #expect(transport.fallbackHosts.isEmpty)
            // Without the passphrase the host goes to OpenSSH, which cannot use the key in batch mode either.
            (result, transport) = try await runNative(configuration, "host1", config: config)
            #expect(transport.fallbackHosts["host1"] == "encrypted key without passphrase")
            #expect(result?.exitCodes == [255])
        }
    }

    @Test func proxyHostsFallBackToOpenSSH() async throws {
        try await withBed(hosts: 2) { bed, configuration in
            let path = bed.directory + "/proxy_config"
            let bedConfig = try String(contentsOfFile: bed.sshConfigPath, encoding: .utf8)
            let endpoint = try bed.endpoint(of: "host1")
            // A ProxyCommand OpenSSH can run here (the bed forbids TCP forwarding, so no ProxyJump through it).
            try """
                Host host1
                  ProxyCommand /bin/bash -c 'exec 3<>/dev/tcp/\(endpoint.address)/\(endpoint.port); cat <&3 & cat >&3'
                Host host2
                  ProxyJump host1

                """.appending(bedConfig).write(toFile: path, atomically: true, encoding: .utf8)
            var configuration = configuration
            configuration.clustershell.sshOptions = ["-F \(path)"]
            let transport = try NativeSSHTransport(configuration: configuration)
            let results = try await Executor(transport: transport, options: ExecutionOptions(successThreshold: 0))
                .run([Command("echo via-$CUMIN_TESTBED_HOST")], on: try NodeSet("host[1-2]"))
            #expect(results.host("host1")?.results.first?.stdoutText == "via-host1\n")
            #expect(transport.fallbackHosts == ["host1": "ProxyCommand", "host2": "ProxyJump"])
            #expect(transport.notes() == ["1 host through OpenSSH: ProxyCommand", "1 host through OpenSSH: ProxyJump"])
            let openSSH = try await Executor(
                transport: try OpenSSHTransport(configuration: configuration), options: ExecutionOptions(successThreshold: 0)
            ).run([Command("echo via-$CUMIN_TESTBED_HOST")], on: try NodeSet("host[1-2]"))
            #expect(summaries(results) == summaries(openSSH))
        }
    }
}

/// Merged streams and keepalives of the native transport, on real sshds.
@Suite(.serialized) struct NativeSSHStreamsAndKeepaliveTests {
    @Test func mergedStandardErrorGroupsAsOverOpenSSH() async throws {
        try await withBed(hosts: 6) { _, configuration in
            var configuration = configuration
            configuration.transport = NativeSSH.transportName
            NativeSSH.register()
            let command = Command("printf 'a\\nb\\n'; echo err >&2")
            let native = try await Executor(
                transport: try TransportSelection.make(
                    TransportRequest(configuration: configuration, connectionReuse: .none, mergeStandardError: true))
            ).run([command], on: try NodeSet("host[1-6]"))
            configuration.transport = "clustershell"
            let openSSH = try await Executor(
                transport: try TransportSelection.make(
                    TransportRequest(configuration: configuration, connectionReuse: .none, mergeStandardError: true))
            ).run([command], on: try NodeSet("host[1-6]"))
            #expect(native.hosts.allSatisfy { $0.results.first?.stdoutText == "a\nb\nerr\n" })
            #expect(native.hosts.allSatisfy { $0.results.first?.stderrText == "" })
            let groups = native.outputGroups(command: 0)
            #expect(groups.count == 1)
            #expect(groups.first?.lines == ["a", "b", "err"])
            #expect(groups.first?.hosts.count == 6)
            #expect(groups == openSSH.outputGroups(command: 0))

            // Asked for nothing, the streams stay apart.
            let apart = try await Executor(transport: try NativeSSHTransport(configuration: configuration))
                .run([command], on: try NodeSet("host1"))
            #expect(apart.host("host1")?.results.first?.stdoutText == "a\nb\n")
            #expect(apart.host("host1")?.results.first?.stderrText == "err\n")
        }
    }

    @Test func keepalivesCloseAFrozenConnectionAndKeepALiveOne() async throws {
        try await withBed(hosts: 1) { bed, configuration in
            var configuration = configuration
            configuration.clustershell.sshOptions += ["-o ServerAliveInterval=1", "-o ServerAliveCountMax=2"]
            // A quiet command outlives several intervals: the server answers the keepalives.
            var start = ContinuousClock.now
            let quiet = try await Executor(transport: try NativeSSHTransport(configuration: configuration))
                .run([Command("sleep 4; echo awake")], on: try NodeSet("host1"))
            #expect(quiet.host("host1")?.results.first?.stdoutText == "awake\n")
            #expect(quiet.host("host1")?.exitCodes == [0])

            // The command stops its own connection's sshd process (the one that speaks SSH): the server goes silent
            // with the TCP connection open, as a frozen host does. Without keepalives this waits for the command
            // timeout (60 s); with them it ends after about 3 intervals.
            let pidFile = bed.directory + "/frozen-session.pid"
            start = ContinuousClock.now
            let frozen = try await Executor(
                transport: try NativeSSHTransport(configuration: configuration),
                options: ExecutionOptions(successThreshold: 0)
            )
            .run(
                [Command("echo $PPID > \(pidFile); kill -STOP $PPID", timeout: .seconds(60))], on: try NodeSet("host1"))
            let elapsed = ContinuousClock.now - start
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1
            {
                kill(pid, SIGCONT)
            }
            let result = frozen.host("host1")?.results.first
            #expect(result?.exitCode == 255)
            #expect(frozen.host("host1")?.state == .failed)
            #expect(result?.stderrText == "Timeout, server host1 not responding.\n")
            #expect(elapsed >= .seconds(2) && elapsed < .seconds(15))
        }
    }
}
