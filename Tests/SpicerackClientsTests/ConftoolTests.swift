import Foundation
import Logging
import SpicerackClients
import TestSupport
import Testing

/// Conftool on a real etcd, checked both ways against conftool's own `confctl`.
@Suite("Conftool", .tags(.etcd, .conftool), .serialized)
struct ConftoolTests {
    static let nodes = ["eqiad": ["appserver": ["mw1001": ["apache2", "nginx"], "mw1002": ["apache2"]]]]

    @Test("what confctl writes, we read")
    func readsConfctlWrites() async throws {
        let fixture = try ConftoolFixture(nodes: Self.nodes, discovery: ["appservers-ro": ["eqiad", "codfw"]])
        defer { fixture.close() }
        let set = try fixture.confctl(["select", "name=mw1001,service=apache2", "set/pooled=yes:weight=10"])
        #expect(set.status == 0, "\(set.output)")
        let discovery = try fixture.confctl(
            ["--object-type", "discovery", "select", "dnsdisc=appservers-ro,name=codfw", "set/pooled=true"])
        #expect(discovery.status == 0)

        let conftool = try fixture.conftool()
        let nodes = try conftool.entity("node")
        let apache = try await nodes.get(["name": "mw1001", "service": "apache2"])
        #expect(apache.count == 1)
        #expect(apache.first?["pooled"] == "yes")
        #expect(apache.first?["weight"] == 10)
        #expect(apache.first?.tagsDescription == "dc=eqiad,cluster=appserver,service=apache2")
        // The other objects keep conftool-sync's defaults.
        let nginx = try await nodes.get(["name": "mw1001", "service": "nginx"])
        #expect(nginx.first?["pooled"] == "inactive")
        #expect(nginx.first?["weight"] == 0)
        let pooled = try await conftool.entity("discovery").filterObjects(["pooled": true], ["dnsdisc": "appservers-ro"])
        #expect(pooled.map(\.name) == ["codfw"])
    }

    @Test("what we write, confctl reads")
    func confctlReadsOurWrites() async throws {
        let fixture = try ConftoolFixture(nodes: Self.nodes, discovery: ["appservers-ro": ["eqiad", "codfw"]])
        defer { fixture.close() }
        let conftool = try fixture.conftool()
        try await conftool.entity("node").setAndVerify("pooled", "no", ["name": "mw1002"])
        try await conftool.entity("node").update(["weight": 7], ["service": "apache2"])
        try await conftool.entity("discovery").setAndVerify("ttl", 10, ["dnsdisc": "appservers-ro"])

        let objects = try fixture.confctlGet("name=mw1002")
        #expect(objects.count == 1)
        let mw1002 = objects.first?["mw1002"] as? [String: Any]
        #expect(mw1002?["pooled"] as? String == "no")
        #expect(mw1002?["weight"] as? Int == 7)
        #expect(objects.first?["tags"] as? String == "dc=eqiad,cluster=appserver,service=apache2")
        let records = try fixture.confctlGet(objectType: "discovery", "dnsdisc=appservers-ro")
        #expect(records.count == 2)
        for record in records {
            let values = record.values.compactMap { $0 as? [String: Any] }.first
            #expect(values?["ttl"] as? Int == 10)
            #expect(values?["pooled"] as? Bool == false)
        }
        // confctl can change what we wrote (the JSON is conftool's own).
        let set = try fixture.confctl(["select", "name=mw1002", "set/pooled=yes"])
        #expect(set.status == 0)
        #expect(try await conftool.entity("node").get(["name": "mw1002"]).first?["pooled"] == "yes")
    }

    @Test("dry-run reads but only logs writes")
    func dryRun() async throws {
        let fixture = try ConftoolFixture(nodes: Self.nodes)
        defer { fixture.close() }
        let recorder = LogRecorder()
        let conftool = try fixture.conftool(dryRun: true, logger: recorder.logger())
        let nodes = try conftool.entity("node")
        try await nodes.setAndVerify("pooled", "yes", ["name": "mw1001", "service": "apache2"])
        #expect(try await nodes.get(["name": "mw1001", "service": "apache2"]).first?["pooled"] == "inactive")
        #expect(
            recorder.messages(at: .info).contains(
                "Would have set pooled=yes on node dc=eqiad,cluster=appserver,service=apache2,name=mw1001"),
            "\(recorder.messages)")
        let objects = try fixture.confctlGet("name=mw1001,service=apache2")
        #expect((objects.first?["mw1001"] as? [String: Any])?["pooled"] as? String == "inactive")
    }

    @Test("changeAndRevert restores the original value on return, on a thrown error and on cancellation")
    func changeAndRevert() async throws {
        let fixture = try ConftoolFixture(nodes: Self.nodes)
        defer { fixture.close() }
        let nodes = try fixture.conftool().entity("node")
        try await nodes.update(["pooled": "yes"], ["service": "apache2"])

        let seen = try await nodes.changeAndRevert("pooled", original: "yes", changed: "no", ["name": "mw1001"]) {
            objects in
            let now = try await nodes.get(["name": "mw1001", "service": "apache2"])
            #expect(now.first?["pooled"] == "no")
            return objects.map(\.key)
        }
        // Only the object that had the original value was touched.
        #expect(seen == ["/conftool/v1/pools/eqiad/appserver/apache2/mw1001"])
        #expect(try await nodes.get(["name": "mw1001", "service": "apache2"]).first?["pooled"] == "yes")
        #expect(try await nodes.get(["name": "mw1001", "service": "nginx"]).first?["pooled"] == "inactive")

        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await nodes.changeAndRevert("pooled", original: "yes", changed: "no", ["name": "mw1002"]) { _ in
                throw Boom()
            }
        }
        #expect(try await nodes.get(["name": "mw1002"]).first?["pooled"] == "yes")

        let task = Task {
            try await nodes.changeAndRevert("pooled", original: "yes", changed: "no", ["service": "apache2"]) { _ in
                try await Task.sleep(for: .seconds(30))
            }
        }
        // Bounded: wait for the depool to show, at most 10 s.
        for _ in 0..<100 {
            if try await nodes.get(["name": "mw1001", "service": "apache2"]).first?["pooled"] == "no" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        task.cancel()
        _ = await task.result
        let after = try await nodes.get(["service": "apache2"])
        #expect(after.map { $0["pooled"] } == ["yes", "yes"])
        // ... and confctl agrees.
        let objects = try fixture.confctlGet("service=apache2")
        #expect(objects.count == 2)
    }

    @Test("errors: no match, unknown tag or field, a value the schema refuses, etcd down")
    func errors() async throws {
        let fixture = try ConftoolFixture(nodes: Self.nodes)
        defer { fixture.close() }
        let nodes = try fixture.conftool().entity("node")
        await #expect { try await nodes.get(["name": "mw9999"]) } throws: {
            ($0 as? ConftoolError)?.message == "No match found"
        }
        await #expect { try await nodes.get(["site": "eqiad"]) } throws: {
            ($0 as? ConftoolError)?.message.contains("Unknown tag 'site'") == true
        }
        await #expect { try await nodes.update(["pooled": "maybe"], ["name": "mw1001"]) } throws: {
            ($0 as? ConftoolError)?.message.contains("expected one of yes|no|inactive") == true
        }
        await #expect { try await nodes.update(["color": "red"], ["name": "mw1001"]) } throws: {
            ($0 as? ConftoolError)?.message.contains("no field 'color'") == true
        }
        #expect(throws: ConftoolError.self) { try fixture.conftool().entity("horse") }
        fixture.etcd.stop()
        await #expect { try await nodes.get(["name": "mw1001"]) } throws: {
            ($0 as? ConftoolError)?.message.hasPrefix("Unable to reach etcd") == true
        }
    }
}

/// Conftool on an etcd that requires authentication (etcd's v2 users and roles, HTTP Basic).
@Suite("Conftool with etcd authentication", .tags(.etcd, .conftool))
struct ConftoolAuthenticationTests {
    @Test("the etcdrc's username and password are sent; without them etcd refuses, and confctl reads our writes")
    func authenticated() async throws {
        let fixture = try ConftoolFixture(nodes: ConftoolTests.nodes)
        defer { fixture.close() }
        let anonymous = try fixture.conftool().entity("node")
        try await fixture.enableAuthentication(password: "s3cret")

        await #expect { try await anonymous.get(["name": "mw1001"]) } throws: {
            ($0 as? ConftoolError)?.message.contains("refused the credentials (HTTP 401)") == true
        }
        let conftool = try fixture.conftool()
        #expect(conftool.configuration.username == "conftool")
        let nodes = try conftool.entity("node")
        try await nodes.setAndVerify("pooled", "yes", ["name": "mw1002"])
        let objects = try fixture.confctlGet("name=mw1002")
        #expect((objects.first?["mw1002"] as? [String: Any])?["pooled"] as? String == "yes")

        let wrong = ConftoolConfiguration(
            endpoints: [fixture.etcd.endpoint], username: "conftool", password: "wrong")
        await #expect(throws: ConftoolError.self) {
            try await Conftool(configuration: wrong, dryRun: false).entity("node").get(["name": "mw1002"])
        }
    }
}
