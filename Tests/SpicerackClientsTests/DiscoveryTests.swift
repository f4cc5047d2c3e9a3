import Foundation
import Logging
import SpicerackClients
import TestSupport
import Testing
import TestBed

/// DNS discovery on conftool's `discovery` objects in a real etcd, checked against a real authoritative DNS
/// server (NSD) on loopback.
@Suite("Discovery", .serialized)
struct DiscoveryTests {
    static let records: [DNSServer.Record] = [
        .init(name: "appservers-ro", ttl: 300, address: "10.2.2.1"),
        .init(name: "api-ro", ttl: 300, address: "10.2.2.1"),
        .init(name: "appservers-eqiad", ttl: 300, address: "10.2.2.1"),
        .init(name: "appservers-codfw", ttl: 300, address: "10.2.1.1"),
    ]

    private func discovery(
        _ fixture: ConftoolFixture, dns: DNSServer?, records: [String] = ["appservers-ro"], dryRun: Bool = false,
        logger: Logger = Logger(label: "test")
    ) throws -> Discovery {
        try Discovery(
            conftool: fixture.conftool(dryRun: dryRun, logger: logger).entity("discovery"),
            authdnsServers: dns.map { ["ns0": "127.0.0.1:\($0.port)", "ns1": "127.0.0.1:\($0.port)"] } ?? [:],
            records: records, dryRun: dryRun, checkTries: 20, checkDelay: .milliseconds(250), logger: logger)
    }

    @Test("activeDatacenters, pool and depool follow conftool (and confctl sees the result)", .tags(.etcd, .conftool))
    func poolAndDepool() async throws {
        let fixture = try ConftoolFixture(
            discovery: ["appservers-ro": ["eqiad", "codfw"], "api-ro": ["eqiad", "codfw"]])
        defer { fixture.close() }
        for record in ["appservers-ro", "api-ro"] {
            let set = try fixture.confctl(
                ["--object-type", "discovery", "select", "dnsdisc=\(record),name=eqiad", "set/pooled=true"])
            #expect(set.status == 0)
        }
        let discovery = try self.discovery(fixture, dns: nil, records: ["appservers-ro", "api-ro"])
        #expect(try await discovery.activeDatacenters == ["appservers-ro": ["eqiad"], "api-ro": ["eqiad"]])

        // eqiad is the last active datacenter: refused unless forced.
        await #expect { try await discovery.depool("eqiad") } throws: {
            ($0 as? DiscoveryError)?.message
                == "Services api-ro, appservers-ro cannot be depooled as they are only active in eqiad"
        }
        try await discovery.pool("codfw")
        #expect(try await discovery.activeDatacenters == ["appservers-ro": ["codfw", "eqiad"], "api-ro": ["codfw", "eqiad"]])
        try await discovery.depool("eqiad")
        #expect(try await discovery.activeDatacenters == ["appservers-ro": ["codfw"], "api-ro": ["codfw"]])
        let objects = try fixture.confctlGet(objectType: "discovery", "name=eqiad")
        #expect(objects.count == 2)
        #expect(objects.allSatisfy { ($0["eqiad"] as? [String: Any])?["pooled"] as? Bool == false })
        try await discovery.depool("codfw", force: true)
        #expect(try await discovery.activeDatacenters.isEmpty)
    }

    @Test("dry-run: nothing is written, the last-datacenter refusal is only logged", .tags(.etcd, .conftool))
    func dryRun() async throws {
        let fixture = try ConftoolFixture(discovery: ["appservers-ro": ["eqiad", "codfw"]])
        defer { fixture.close() }
        #expect(try fixture.confctl(["--object-type", "discovery", "select", "name=eqiad", "set/pooled=true"]).status == 0)
        let recorder = LogRecorder()
        let discovery = try self.discovery(fixture, dns: nil, dryRun: true, logger: recorder.logger())
        try await discovery.depool("eqiad")
        try await discovery.pool("codfw")
        #expect(try await discovery.activeDatacenters == ["appservers-ro": ["eqiad"]])
        #expect(recorder.messages.contains("Would have set pooled=False on discovery dnsdisc=appservers-ro,name=eqiad"))
        #expect(recorder.messages.contains("Would have set pooled=True on discovery dnsdisc=appservers-ro,name=codfw"))
    }

    @Test(
        "resolve, checkTTL, updateTTL and checkRecord against a real DNS server whose zone the test rewrites",
        .tags(.etcd, .conftool, .dns))
    func dns() async throws {
        let fixture = try ConftoolFixture(discovery: ["appservers-ro": ["eqiad", "codfw"]])
        defer { fixture.close() }
        let dns = try DNSServer(records: Self.records)
        defer { dns.stop() }
        let discovery = try self.discovery(fixture, dns: dns)

        let answers = try await discovery.resolve()
        #expect(answers.map(\.nameserver) == ["ns0", "ns1"])
        #expect(answers.allSatisfy { $0.addresses == ["10.2.2.1"] && $0.ttl == 300 && $0.name == "appservers-ro.discovery.wmnet" })
        try await discovery.checkTTL(300)
        try await discovery.checkRecord("appservers-ro", expectedName: "appservers-eqiad.discovery.wmnet")

        // updateTTL writes conftool at once and waits for the DNS answers: the "authdns update" comes a bit later.
        let update = Task { try await discovery.updateTTL(10) }
        try await Task.sleep(for: .milliseconds(600))
        var changed = Self.records
        changed[0].ttl = 10
        try dns.setRecords(changed)
        try await update.value
        let ttls = try fixture.confctlGet(objectType: "discovery", "dnsdisc=appservers-ro").map {
            ($0.values.compactMap { $0 as? [String: Any] }.first?["ttl"] as? Int) ?? -1
        }
        #expect(ttls == [10, 10])

        // A switch to codfw not yet visible in DNS fails the check after its tries.
        let impatient = try Discovery(
            conftool: fixture.conftool().entity("discovery"), authdnsServers: ["ns0": "127.0.0.1:\(dns.port)"],
            records: ["appservers-ro"], dryRun: false, checkTries: 2, checkDelay: .milliseconds(50))
        await #expect { try await impatient.checkRecord("appservers-ro", expectedName: "appservers-codfw.discovery.wmnet") } throws: {
            ($0 as? DiscoveryError)?.message == "Resolved record appservers-ro with the wrong IP"
        }
        await #expect { try await impatient.resolve(name: "missing") } throws: {
            ($0 as? DiscoveryError)?.message.contains("Unable to resolve missing.discovery.wmnet from ns0") == true
                && ($0 as? DiscoveryError)?.message.contains("NXDOMAIN") == true
        }
    }
}
