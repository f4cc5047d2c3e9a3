import Foundation
import Spicerack
import TestBed
import TestSupport
import Testing

/// The example cookbooks of `examples/cookbooks`, run by the real `cookbook` binary against a bed of real sshd
/// hosts: remote execution, dry-run, rollback and the hosts in the run record.
@Suite("cookbook with remote hosts (examples on the SSH test bed)", .tags(.sshd, .etcd, .compiler))
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
    private func withExamples(_ body: (TestBed, CookbookFixture, ConftoolSeed) async throws -> Void) async throws {
        try await withLoopbackBed(hosts: 3) { bed, directory in
            let seed = try ConftoolSeed(directory: directory + "/conftool")
            defer { seed.stop() }
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
                "examples", files: try Self.exampleFiles(),
                instanceParameters: "  cumin_config: \(directory)/cumin.yaml\n" + seed.instanceParameters)
            try await body(bed, fixture, seed)
        }
    }

    @Test func serviceRouterPoolsAndDepoolsThroughConftoolAndRollsBack() async throws {
        let directory = NSTemporaryDirectory() + "service-router-\(getpid())-\(UUID().uuidString.prefix(8))"
        let seed = try ConftoolSeed(directory: directory)
        defer {
            seed.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        try await seed.put("discovery/appservers-ro/eqiad", #"{"pooled": true, "references": [], "ttl": 300}"#)
        try await seed.put("discovery/appservers-ro/codfw", #"{"pooled": true, "references": [], "ttl": 300}"#)
        let fixture = try CookbookFixture(
            "router", files: try Self.exampleFiles(), instanceParameters: seed.instanceParameters)
        let arguments = ["sre.discovery.service-router", "appservers-ro", "eqiad", "depool", "-r", "maintenance"]

        // Dry run: conftool is read, the write is only logged.
        let dry = try await fixture.run(["-d"] + arguments)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stderr.contains("Would have set pooled=False on discovery dnsdisc=appservers-ro,name=eqiad"))
        #expect(try await seed.get("discovery/appservers-ro/eqiad").contains(#""pooled": true"#))

        // Real run: eqiad depooled in conftool.
        let real = try await fixture.run(arguments)
        #expect(real.status == 0, "\(real.stderr)")
        #expect(try await seed.get("discovery/appservers-ro/eqiad").contains(#""pooled": false"#))
        let record = try #require(RunRecord.read(from: fixture.logs + "/cookbook-runs.jsonl").last)
        #expect(record.description == "depool service appservers-ro in eqiad")

        // codfw is now the last active datacenter: refused, and the rollback keeps it pooled (it was).
        let last = try await fixture.run(["sre.discovery.service-router", "appservers-ro", "codfw", "depool"])
        #expect(last.status != 0)
        #expect(last.stderr.contains("cannot be depooled as they are only active in codfw"), "\(last.stderr)")
        #expect(try await seed.get("discovery/appservers-ro/codfw").contains(#""pooled": true"#))
    }

    @Test(.enabled(if: geteuid() == 0, "needs per-host /srv and hostnames (root)"))
    func lbRestartDepoolsEachBatchWhileItRestartsAndRepoolsEvenAfterAFailure() async throws {
        try await withExamples { bed, fixture, seed in
            for host in ["host1", "host2", "host3"] {
                try await seed.put("pools/eqiad/appserver/nginx/\(host)", #"{"pooled": "yes", "weight": 10}"#)
            }
            try await seed.put("pools/eqiad/appserver/apache2/host1", #"{"pooled": "yes", "weight": 10}"#)
            // The "restart" records what conftool said about the host while it ran.
            let restart =
                "test ! -e /srv/broken && curl -fsS \(seed.etcd.endpoint)/v2/keys/conftool/v1/pools/eqiad/appserver/"
                + "{service}/$(hostname) > /srv/during.json"
            let arguments = [
                "sre.hosts.lb-restart", "appserver", "nginx", "--dc", "eqiad", "--restart-command", restart,
            ]
            let dry = try await fixture.run(["-d"] + arguments)
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(dry.stderr.contains("Would have set pooled=no on node dc=eqiad,cluster=appserver,service=nginx,name=host1"))
            #expect(!FileManager.default.fileExists(atPath: bed.srvPath(of: "host1") + "/during.json"))

            let real = try await fixture.run(arguments)
            #expect(real.status == 0, "\(real.stderr)")
            for host in ["host1", "host2", "host3"] {
                let during = try String(contentsOfFile: bed.srvPath(of: host) + "/during.json", encoding: .utf8)
                #expect(during.contains(#"pooled\": \"no"#), "\(host): \(during)")
                #expect(try await seed.get("pools/eqiad/appserver/nginx/\(host)").contains(#""pooled": "yes""#))
            }
            // Another service of the same host was never depooled.
            #expect(try await seed.get("pools/eqiad/appserver/apache2/host1").contains(#""pooled": "yes""#))

            // host2 fails: its batch is repooled, the run stops, host3 is not touched.
            for host in ["host1", "host2", "host3"] {
                try? FileManager.default.removeItem(atPath: bed.srvPath(of: host) + "/during.json")
            }
            try "broken".write(toFile: bed.srvPath(of: "host2") + "/broken", atomically: true, encoding: .utf8)
            let failed = try await fixture.run(arguments)
            #expect(failed.status == 99, "\(failed.stderr)")
            #expect(failed.stderr.contains("1 of 3 batches failed"), "\(failed.stderr)")
            #expect(FileManager.default.fileExists(atPath: bed.srvPath(of: "host1") + "/during.json"))
            #expect(!FileManager.default.fileExists(atPath: bed.srvPath(of: "host3") + "/during.json"))
            for host in ["host1", "host2", "host3"] {
                #expect(try await seed.get("pools/eqiad/appserver/nginx/\(host)").contains(#""pooled": "yes""#))
            }
        }
    }

    @Test func aFailedBatchStopsTheRunAndRollsBack() async throws {
        try await withExamples { bed, fixture, _ in
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
        try await withExamples { _, fixture, _ in
            let result = try await fixture.run(["-d", "sre.hosts.uptime", "A:dns"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("DRY-RUN: host[1-3]: up "))
        }
    }
}
