import Cumin
import Foundation
import Logging
import NodeSet
import SpicerackClients
import SpicerackRemote
import TestSupport
import Testing
import TestBed

/// Rolling operations on hosts of a real SSH bed pooled in conftool on a real etcd.
@Suite("LBRemoteCluster", .tags(.sshd, .etcd, .conftool))
struct LBRemoteClusterTests {
    private func withCluster(_ body: (LBRemoteCluster, ConftoolEntity, TestBed) async throws -> Void) async throws {
        let fixture = try ConftoolFixture(nodes: ["eqiad": ["appserver": ["host1": ["nginx"], "host2": ["nginx"], "host3": ["nginx"]]]])
        defer { fixture.close() }
        try await withRemoteBed(hosts: 3) { bed, remote, _ in
            let nodes = try fixture.conftool().entity("node")
            try await nodes.update(["pooled": "yes"], ["service": "nginx"])
            let cluster = try await remote.queryConfctl(nodes, ["service": "nginx", "dc": "eqiad"])
            try await body(cluster, nodes, bed)
        }
    }

    @Test("a cancelled rolling run repools the batch it was in; bad batch sizes are refused")
    func cancellationAndBatchSize() async throws {
        try await withCluster { cluster, nodes, _ in
            #expect(cluster.hosts.description == "host[1-3]")
            await #expect { try await cluster.run([Command("true")], svcToDepool: ["nginx"], batchSize: 3) } throws: {
                ($0 as? LBClusterError)?.message == "Values for batch_size must be 0 < x < 3, got 3"
            }
            let run = Task {
                try await cluster.run([Command("sleep 30")], svcToDepool: ["nginx"], batchSize: 2)
            }
            // Bounded: wait for the first batch to be depooled, at most 10 s.
            for _ in 0..<100 {
                if try await nodes.get(["name": "host1"]).first?["pooled"] == "no" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try await nodes.get(["name": "host[12]"]).map { $0["pooled"] } == ["no", "no"])
            #expect(try await nodes.get(["name": "host3"]).first?["pooled"] == "yes")
            run.cancel()
            _ = await run.result
            #expect(try await nodes.get(["service": "nginx"]).map { $0["pooled"] } == ["yes", "yes", "yes"])
        }
    }

    @Test(
        "maxFailedBatches lets the run go on past a failed batch, which is still repooled",
        .enabled(if: geteuid() == 0, "needs a private /srv per host (root)"))
    func maxFailedBatches() async throws {
        try await withCluster { cluster, nodes, bed in
            try "x".write(toFile: bed.srvPath(of: "host1") + "/broken", atomically: true, encoding: .utf8)
            await #expect {
                try await cluster.run(
                    [Command("test ! -e /srv/broken && touch /srv/restarted")], svcToDepool: ["nginx"],
                    batchSize: 1, maxFailedBatches: 1, printOutput: false, printProgressBars: false)
            } throws: { error in
                (error as? LBClusterError)?.failures.map(\.failedHosts.description) == ["host1"]
            }
            #expect(FileManager.default.fileExists(atPath: bed.srvPath(of: "host3") + "/restarted"))
            #expect(try await nodes.get(["service": "nginx"]).map { $0["pooled"] } == ["yes", "yes", "yes"])
        }
    }
}
