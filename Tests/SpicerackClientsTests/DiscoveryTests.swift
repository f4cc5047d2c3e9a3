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

extension DiscoveryTests {
    @Test("resolveWithClientIP sends the client's subnet (EDNS Client Subnet) as dig does, and reads NSD's answer")
    func resolveWithClientIP() async throws {
        let dns = try DNSServer(records: Self.records)
        defer { dns.stop() }
        let fixture = try ConftoolFixture(discovery: ["appservers-ro": ["eqiad"]])
        defer { fixture.close() }
        // NSD accepts the option (a malformed OPT record gets FORMERR) and answers; it does not implement ECS, so
        // the answer is the same for every client.
        let discovery = try self.discovery(fixture, dns: dns)
        #expect(
            try await discovery.resolveWithClientIP("appservers-ro", clientIP: "10.64.32.17")
                == ["ns0": "10.2.2.1", "ns1": "10.2.2.1"])
        await #expect(throws: DiscoveryError.self) {
            try await discovery.resolveWithClientIP("appservers-ro", clientIP: "10.64.32.300")
        }

        // The bytes on the wire, next to dig's (+subnet) through a relay in front of the same NSD.
        let relay = try UDPRelay(upstreamPort: dns.port)
        defer { relay.stop() }
        let resolver = DNSResolver(address: "127.0.0.1", port: relay.port)
        let name = "appservers-codfw.discovery.wmnet"
        let cases: [(ip: String, subnet: String, expected: [UInt8])] = [
            ("10.64.32.17", "10.64.32.17/24", [0, 8, 0, 7, 0, 1, 24, 0, 10, 64, 32]),
            (
                "2620:0:861:ed1a::1", "2620:0:861:ed1a::1/56",
                [0, 8, 0, 11, 0, 2, 56, 0, 0x26, 0x20, 0, 0, 0x08, 0x61, 0xed]
            ),
        ]
        for (ip, subnet, expected) in cases {
            let answer = try await resolver.resolveA(name, nameserver: "relay", clientSubnet: ClientSubnet(ip))
            #expect(answer.addresses == ["10.2.1.1"])
            let ours = try #require(relay.queries.last.flatMap(UDPRelay.clientSubnetOption))
            #expect(ours == expected)
            let dig = try runDig(["@127.0.0.1", "-p", "\(relay.port)", "+subnet=\(subnet)", "+tries=1", name, "A"])
            #expect(dig.contains("10.2.1.1"), "\(dig)")
            let digs = try #require(relay.queries.last.flatMap(UDPRelay.clientSubnetOption))
            #expect(ours == digs, "ours \(ours), dig's \(digs)")
        }
        // A /20 clears the bits past the prefix in the last byte sent.
        let subnet = try ClientSubnet("10.64.47.1", prefixLength: 20)
        _ = try await resolver.resolveA(name, nameserver: "relay", clientSubnet: subnet)
        #expect(relay.queries.last.flatMap(UDPRelay.clientSubnetOption) == [0, 8, 0, 7, 0, 1, 20, 0, 10, 64, 32])
    }

    private func runDig(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/dig")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
