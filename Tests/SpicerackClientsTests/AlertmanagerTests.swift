import Foundation
import Logging
import SpicerackClients
import SpicerackRemote
import TestSupport
import Testing
import TestBed

/// Silences on a real Alertmanager (Debian's prometheus-alertmanager) on loopback.
@Suite("Alertmanager")
struct AlertmanagerTests {
    let reason: Reason

    init() throws {
        reason = try Reason(reason: "Rebooting for kernel", username: "alice", hostname: "cumin1001", taskID: "T12345")
    }

    private func client(_ urls: [String], dryRun: Bool = false, logger: Logger = Logger(label: "test")) throws
        -> Alertmanager
    {
        try Alertmanager(
            urls: urls, client: HTTPClient(name: "test", dryRun: dryRun, logger: logger, timeout: .seconds(3)),
            logger: logger)
    }

    @Test(
        "downtime creates a silence with Spicerack's reason; removeDowntime expires it; a dead first URL is skipped",
        .tags(.alertmanager))
    func downtimeAndRemove() async throws {
        let server = try AlertmanagerServer()
        defer { server.stop() }
        // Port 9 (discard) on loopback: nothing listens there.
        let alertmanager = try client(["http://127.0.0.1:9", server.endpoint])
        let id = try await alertmanager.downtime(
            reason, matchers: [.init(name: "alertname", value: "PuppetFailure")], duration: .seconds(600))
        #expect(!id.isEmpty)
        let silence = try #require(try await alertmanager.silences().first { $0.id == id })
        #expect(silence.state == "active")
        #expect(silence.comment == "Rebooting for kernel - alice@cumin1001 - T12345")
        #expect(silence.createdBy == "alice@cumin1001")
        #expect(silence.matchers == [.init(name: "alertname", value: "PuppetFailure")])
        try await alertmanager.removeDowntime(id)
        #expect(try await alertmanager.silences().first { $0.id == id }?.state == "expired")
        // Removing it again is accepted (Alertmanager 0.25 answers 200 for an expired silence).
        try await alertmanager.removeDowntime(id)
        // An unknown silence is an error naming Alertmanager's answer.
        await #expect { try await alertmanager.removeDowntime("00000000-0000-0000-0000-000000000000") } throws: {
            ($0 as? AlertmanagerError)?.message.contains("HTTP 500") == true
                && ($0 as? AlertmanagerError)?.message.contains("silence not found") == true
        }
    }

    @Test(
        "hosts: the instance matcher covers FQDNs and ports, and downtimed removes the silence even on errors",
        .tags(.alertmanager))
    func hostsDowntimed() async throws {
        let server = try AlertmanagerServer()
        defer { server.stop() }
        let hosts = try client([server.endpoint]).hosts(["mw1001.eqiad.wmnet", "mw1002"])
        #expect(hosts.instanceMatcher.value == #"^(mw1001|mw1002)(\..+)?(:[0-9]+)?$"#)
        #expect(hosts.instanceMatcher.isRegex)
        struct Boom: Error {}
        let alertmanager = try client([server.endpoint])
        await #expect(throws: Boom.self) {
            try await hosts.downtimed(self.reason, duration: .seconds(600)) {
                let active = try await alertmanager.silences().filter { $0.state == "active" }
                #expect(active.count == 1)
                #expect(active.first?.matchers.contains(hosts.instanceMatcher) == true)
                throw Boom()
            }
        }
        let silences = try await alertmanager.silences()
        #expect(silences.count == 1 && silences.allSatisfy { $0.state == "expired" })
        await #expect(throws: AlertmanagerError.self) {
            try await hosts.downtime(self.reason, matchers: [.init(name: "instance", value: "x")])
        }
    }

    @Test("dry-run creates nothing and logs what it would have called", .tags(.alertmanager))
    func dryRun() async throws {
        let server = try AlertmanagerServer()
        defer { server.stop() }
        let recorder = LogRecorder()
        let alertmanager = try client([server.endpoint], dryRun: true, logger: recorder.logger())
        let id = try await alertmanager.hosts(["mw1001"]).downtime(reason)
        #expect(id == "")
        #expect(try await alertmanager.silences().isEmpty)
        #expect(recorder.messages.contains("Would have called POST \(server.endpoint)/api/v2/silences"))
    }

    @Test("errors: no URL, no matcher, every Alertmanager down")
    func errors() async throws {
        #expect(throws: AlertmanagerError.self) { try client([]) }
        let down = try client(["http://127.0.0.1:9"])
        await #expect { try await down.downtime(reason, matchers: []) } throws: {
            ($0 as? AlertmanagerError)?.message == "No matchers provided."
        }
        await #expect {
            try await down.downtime(reason, matchers: [.init(name: "alertname", value: "x")])
        } throws: {
            ($0 as? AlertmanagerError)?.message.hasPrefix("Unable to POST to any Alertmanager: http://127.0.0.1:9") == true
        }
    }
}
