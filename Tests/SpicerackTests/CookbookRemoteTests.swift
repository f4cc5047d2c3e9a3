import Foundation
import Spicerack
import TestBed
import Testing

/// The example cookbooks of `examples/cookbooks`, run by the real `cookbook` binary against a bed of real sshd
/// hosts: remote execution, dry-run, rollback and the hosts in the run record.
@Suite("cookbook with remote hosts (examples on the SSH test bed)")
struct CookbookRemoteTests {
    /// The example tree, read from the repository.
    static func exampleFiles(filePath: String = #filePath) throws -> [String: String] {
        let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/cookbooks").path
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix(".swift") || relative.hasSuffix(".yaml") else { continue }
            files[relative] = try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
        }
        return files
    }

    /// A bed of 3 hosts, a cumin configuration with `A:dns`, and a cookbook fixture of the examples using it.
    private func withExamples(_ body: (TestBed, CookbookFixture) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "cumin-bed-\(getpid())-\(UUID().uuidString.prefix(8))"
        let bed = try TestBed.start(TestBedConfiguration(directory: directory, hostCount: 3))
        defer {
            try? bed.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        try """
            transport: clustershell
            log_file: \(directory)/cumin.log
            default_backend: direct
            clustershell:
              ssh_options: ['-F \(bed.sshConfigPath)']
              fanout: 16
            """.write(toFile: directory + "/cumin.yaml", atomically: true, encoding: .utf8)
        try "dns: D{host[1-3]}\n".write(toFile: directory + "/aliases.yaml", atomically: true, encoding: .utf8)
        let fixture = try CookbookFixture(
            "examples", files: try Self.exampleFiles(), instanceParameters: "  cumin_config: \(directory)/cumin.yaml\n")
        try await body(bed, fixture)
    }

    @Test func dryRunSkipsUnsafeCommandsAndARealRunChangesTheHosts() async throws {
        try await withExamples { bed, fixture in
            let state = bed.srvPath(of: "host2") + "/discovery/appservers-ro/eqiad"
            let arguments = ["sre.discovery.service-router", "appservers-ro", "eqiad", "depool", "-r", "maintenance"]

            // Dry run: the safe read runs on the hosts, the write does not.
            let dry = try await fixture.run(["-d"] + arguments)
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(dry.stderr.contains("DRY-RUN: Executing commands ['mkdir -p /srv/discovery/appservers-ro"))
            #expect(dry.stderr.contains("DRY-RUN: pooled"))
            #expect(!FileManager.default.fileExists(atPath: state))

            // Real run: written on every host; the run record names them.
            let real = try await fixture.run(arguments)
            #expect(real.status == 0, "\(real.stderr)")
            #expect(try String(contentsOfFile: state, encoding: .utf8) == "depooled\n")
            let record = try #require(RunRecord.read(from: fixture.logs + "/cookbook-runs.jsonl").last)
            #expect(record.hosts == ["host1", "host2", "host3"])
            #expect(record.description == "depool service appservers-ro in eqiad")
            // The remote output is in the extended log (Spicerack loses it).
            #expect(fixture.log("sre/discovery/service-router-extended.log").contains("depooled"))

            // Nothing to do: the validation phase says so and exits 0 without START.
            let again = try await fixture.run(arguments)
            #expect(again.status == 0)
            #expect(again.stderr.contains("appservers-ro is already depooled in eqiad, nothing to do"))
            #expect(!again.stderr.contains("START"))
        }
    }

    @Test func aFailedBatchStopsTheRunAndRollsBack() async throws {
        try await withExamples { bed, fixture in
            // host2 fails its check: batch 1 (host1) passes, batch 2 (host2) fails and is restored (its restart
            // undone), host3 is never touched; the cookbook's documented failure code is 1.
            try "broken".write(toFile: bed.srvPath(of: "host2") + "/broken", atomically: true, encoding: .utf8)
            let result = try await fixture.run([
                "sre.hosts.rolling-restart", "A:dns", "nginx", "--batch-size", "1",
                "--restart-command", "touch /srv/{service}.restarted", "--check-command", "test ! -e /srv/broken",
                "--rollback-command", "rm /srv/{service}.restarted",
            ])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("Batch 2 failed on host2: Cumin execution failed (exit_code="))
            #expect(result.stderr.contains("Restoring the failed batch host2: rm /srv/nginx.restarted"))
            #expect(result.stderr.contains("The rolling restart of nginx stopped"))
            #expect(result.stderr.contains("END (FAIL) - Cookbook sre.hosts.rolling-restart (exit_code=1)"))
            #expect(FileManager.default.fileExists(atPath: bed.srvPath(of: "host1") + "/nginx.restarted"))
            #expect(!FileManager.default.fileExists(atPath: bed.srvPath(of: "host2") + "/nginx.restarted"))
            #expect(!FileManager.default.fileExists(atPath: bed.srvPath(of: "host3") + "/nginx.restarted"))
        }
    }

    @Test func uptimeRunsInDryRunBecauseItIsSafe() async throws {
        try await withExamples { _, fixture in
            let result = try await fixture.run(["-d", "sre.hosts.uptime", "A:dns"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("DRY-RUN: host[1-3]: up "))
        }
    }
}
