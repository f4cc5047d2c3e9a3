import Foundation
import SpicerackClients
import TestBed
import Testing

/// Conftool on an etcd that serves HTTPS and requires client certificates (`--client-cert-auth`), with conftool's
/// own `confctl` on the same etcdrc (python-etcd's `protocol: https`, `ca_cert`, `cert`).
@Suite("Conftool over TLS", .serialized)
struct ConftoolTLSTests {
    @Test("get and set through TLS with a client certificate, both ways with confctl")
    func clientCertificate() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let fixture = try ConftoolFixture(
            nodes: ["eqiad": ["appserver": ["mw1001": ["nginx"], "mw1002": ["nginx"]]]], certificates: certificates)
        defer { fixture.close() }
        #expect(fixture.etcd.endpoint.hasPrefix("https://"))

        let conftool = try fixture.conftool()
        #expect(conftool.configuration.tls.caFile == certificates.caFile)
        #expect(conftool.configuration.endpoints == ["https://127.0.0.1:\(fixture.etcd.clientPort)"])
        let nodes = try conftool.entity("node")
        #expect(try await nodes.get(["name": "mw100[12]"]).map(\.name) == ["mw1001", "mw1002"])
        try await nodes.setAndVerify("pooled", "yes", ["name": "mw1001"])
        // confctl reads what we wrote over TLS...
        let objects = try fixture.confctlGet("name=mw1001")
        #expect((objects.first?["mw1001"] as? [String: Any])?["pooled"] as? String == "yes", "\(objects)")
        // ...and we read what it writes.
        let set = try fixture.confctl(["select", "name=mw1002", "set/pooled=no:weight=3"])
        #expect(set.status == 0, "\(set.output)")
        let mw1002 = try await nodes.get(["name": "mw1002"]).first
        #expect(mw1002?["pooled"] == "no")
        #expect(mw1002?["weight"] == 3)
    }

    @Test("without a client certificate etcd refuses, and the error says what is missing")
    func refusedWithoutCertificate() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let fixture = try ConftoolFixture(
            nodes: ["eqiad": ["appserver": ["mw1001": ["nginx"]]]], certificates: certificates)
        defer { fixture.close() }
        try fixture.writeEtcdrc(
            "host: 127.0.0.1\nport: \(fixture.etcd.clientPort)\nprotocol: https\nca_cert: \(certificates.caFile)\n")
        let error = await #expect(throws: ConftoolError.self) {
            try await fixture.conftool().entity("node").get(["name": "mw1001"])
        }
        #expect(error?.message.contains("Unable to reach etcd") == true)
        #expect(error?.message.contains("requires a client certificate") == true, "\(String(describing: error))")
        // confctl is refused as well: the data is not readable without a certificate.
        #expect(try fixture.confctl(["select", "name=mw1001", "get"]).status != 0)

        // A certificate file that does not exist is named when the configuration is loaded.
        try fixture.writeEtcdrc(
            "host: 127.0.0.1\nport: \(fixture.etcd.clientPort)\nprotocol: https\ncert: /nonexistent/client.pem\n")
        let missing = #expect(throws: ConftoolError.self) { try fixture.conftool() }
        #expect(missing?.location == "/nonexistent/client.pem")
        #expect(missing?.message.contains("cannot read the client certificate file") == true)
    }
}
