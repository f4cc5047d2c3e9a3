import Cumin
import Foundation
import NodeSet
import SpicerackRemote
import TestBed
import TestSupport
import Testing

/// `uptime`, `reboot` and `waitRebootSince` over real OpenSSH (the hosts of a bed share the machine's kernel, so
/// their uptime is the machine's).
@Suite(.serialized) struct RebootTests {
    /// This machine's uptime in seconds.
    private func localUptime() throws -> Double {
        let text = try String(contentsOfFile: "/proc/uptime", encoding: .utf8)
        return try #require(Double(text.split(separator: " ").first ?? ""))
    }

    @Test(.tags(.sshd)) func uptimeReadsProcUptimeOnEveryHost() async throws {
        try await withCuminBed { _, configuration in
            let console = Console.memory()
            let hosts = try makeRemote(configuration, dryRun: true, console: console).query("host[1-3]")
            let before = try localUptime()
            let uptimes = try await hosts.uptime()
            let after = try localUptime()
            let covered = uptimes.reduce(NodeSet()) { $0.union($1.hosts) }
            #expect(covered.description == "host[1-3]")
            for (_, seconds) in uptimes {
                #expect(seconds >= before - 0.01 && seconds <= after + 0.01)
            }
            // Run even in dry-run mode, printing nothing.
            #expect(console.capturedStdout.isEmpty)
            #expect(console.capturedStderr.isEmpty)
        }
    }

    @Test func unparsableUptimeNamesTheHosts() async throws {
        let transport = RecordingTransport { host, _ in
            host == "host2" ? ("garbage\n", 0) : ("1234.56 4000.00\n", 0)
        }
        let hosts = try makeRemote(offlineConfiguration(), transport: transport).query("host[1-3]")
        let error = try await #require(throws: RemoteError.self) { try await hosts.uptime() }
        #expect(error.hosts?.description == "host2")
        #expect(error.message.contains("Unable to parse the uptime of host2 from \"garbage\\n\""))
        #expect(transport.log.sent.allSatisfy { $0.command == Command("cat /proc/uptime", timeout: .seconds(10)) })

        let fine = RecordingTransport { host, _ in host == "host2" ? ("99.5 1.0\n", 0) : ("1234.56 4000.00\n", 0) }
        let parsed = try await makeRemote(offlineConfiguration(), transport: fine).query("host[1-3]").uptime()
        #expect(parsed.map { "\($0.hosts)=\($0.seconds)" }.sorted() == ["host2=99.5", "host[1,3]=1234.56"])
    }

    @Test(.tags(.sshd)) func rebootRunsTheCommandInBatchesUnlessDryRun() async throws {
        try await withCuminBed(hosts: 2) { bed, configuration in
            let dry = try makeRemote(configuration, dryRun: true).query("host[1-2]")
            try await dry.reboot(batchSize: 1, batchSleep: .milliseconds(100), command: "touch /srv/rebooted")
            #expect(bed.hosts.allSatisfy { !FileManager.default.fileExists(atPath: bed.srvPath(of: $0) + "/rebooted") })

            let recorder = LogRecorder()
            let hosts = try makeRemote(configuration, recorder: recorder).query("host[1-2]")
            try await hosts.reboot(batchSize: 1, batchSleep: .milliseconds(100), command: "touch /srv/rebooted")
            #expect(bed.hosts.allSatisfy { FileManager.default.fileExists(atPath: bed.srvPath(of: $0) + "/rebooted") })
            #expect(
                recorder.messages(at: .info) == [
                    "Rebooting 2 hosts in batches of 1 with 0.1s of sleep in between: host[1-2]"
                ])
        }
    }

    @Test func rebootGivesTheCommandThirtySecondsAndOneHostNoSleep() async throws {
        let transport = RecordingTransport()
        let recorder = LogRecorder()
        let host = try makeRemote(offlineConfiguration(), recorder: recorder, transport: transport).query("host1")
        let clock = ContinuousClock()
        let start = clock.now
        try await host.reboot()
        #expect(clock.now - start < .seconds(10))
        #expect(transport.log.sent.map(\.command) == [Command("reboot-host", timeout: .seconds(30))])
        #expect(
            recorder.messages(at: .info) == ["Rebooting 1 hosts in batches of 1 with 0.0s of sleep in between: host1"])
    }

    @Test(.tags(.sshd)) func waitRebootSinceReturnsOnceBootIsAfterSince() async throws {
        try await withCuminBed(hosts: 2) { _, configuration in
            let recorder = LogRecorder()
            let hosts = try makeRemote(configuration, recorder: recorder).query("host[1-2]")
            let since = Date().addingTimeInterval(-(try localUptime() + 3600))
            try await hosts.waitRebootSince(since, tries: 2, delay: .milliseconds(10))
            #expect(
                recorder.messages(at: .info).contains {
                    $0.hasPrefix("Found reboot since ") && $0.hasSuffix(" for hosts host[1-2]")
                })
            #expect(recorder.messages(at: .warning).isEmpty)
        }
    }

    @Test(.tags(.sshd)) func waitRebootSinceFailsWhenNoRebootIsSeen() async throws {
        try await withCuminBed(hosts: 2) { _, configuration in
            let recorder = LogRecorder()
            let hosts = try makeRemote(configuration, recorder: recorder).query("host[1-2]")
            let clock = ContinuousClock()
            let start = clock.now
            let error = try await #require(throws: RemoteCheckError.self) {
                try await hosts.waitRebootSince(Date().addingTimeInterval(3600), tries: 3, delay: .milliseconds(50))
            }
            #expect(clock.now - start < .seconds(20))
            #expect(error.message == "Reboot for host[1-2] not found")
            #expect(error.hosts.description == "host[1-2]")
            // Each host read its own uptime: the hosts are named in one detail each, or together when equal.
            let named = error.details.filter {
                $0.hasPrefix("Uptime for host") && $0.contains(" higher than threshold: ")
            }
            #expect(!named.isEmpty)
            // The threshold is the (negative) time elapsed since `since`, an hour ahead.
            #expect(error.details.allSatisfy { $0.contains(" > -35") || $0.contains(" > -36") })
            let retries = recorder.messages(at: .warning)
            #expect(retries.count == 2)
            let attempt = "[1/3, retrying in 0.05s] Attempt to run 'SpicerackRemote.RemoteHosts.waitRebootSince' raised"
            #expect(retries.first?.hasPrefix("\(attempt): Reboot for host[1-2] not found: Uptime for host") == true)
        }
    }

    @Test(.tags(.sshd)) func waitRebootSinceRetriesWhileAHostIsDown() async throws {
        try await withCuminBed(hosts: 2) { bed, configuration in
            try bed.stopHost("host2")
            let recorder = LogRecorder()
            let hosts = try makeRemote(configuration, recorder: recorder).query("host[1-2]")
            let since = Date().addingTimeInterval(-(try localUptime() + 3600))
            let restart = Task {
                try await Task.sleep(for: .seconds(1))
                try bed.startHost("host2")
            }
            try await hosts.waitRebootSince(since, tries: 80, delay: .milliseconds(250))
            try await restart.value
            let retries = recorder.messages(at: .warning)
            #expect(!retries.isEmpty)
            let down = "Unable to get uptime for host2: Cumin execution failed (exit_code=2)"
            #expect(retries.first?.contains("Reboot for host[1-2] not found: \(down)") == true)
            #expect(recorder.messages(at: .info).last?.hasSuffix(" for hosts host[1-2]") == true)
        }
    }

    @Test(.tags(.sshd)) func waitRebootSinceOnlyLogsInDryRun() async throws {
        try await withCuminBed(hosts: 2) { bed, configuration in
            try bed.stopHost("host2")
            let recorder = LogRecorder()
            let hosts = try makeRemote(configuration, dryRun: true, recorder: recorder).query("host[1-2]")
            try await hosts.waitRebootSince(Date().addingTimeInterval(3600))
            #expect(recorder.messages(at: .warning).contains("Reduce tries from 240 to 1 in DRY-RUN mode"))
            #expect(recorder.messages(at: .info).contains("Reboot for host[1-2] not found - expected in dry run mode"))
        }
    }
}
