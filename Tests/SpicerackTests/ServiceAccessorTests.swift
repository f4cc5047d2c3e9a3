import Foundation
import Logging
import Spicerack
import TestSupport
import Testing
import TestBed

/// The service accessors of `Spicerack`: where they read their configuration and what they say when it is wrong.
@Suite("Spicerack service accessors")
struct ServiceAccessorTests {
    private func spicerack(_ directory: String, instanceParameters: [String: YAMLValue], dryRun: Bool = false) throws
        -> Spicerack
    {
        let configuration = try SpicerackConfiguration(
            path: directory + "/config.yaml",
            raw: [
                "cookbooks_base_dirs": .array([.string(directory)]),
                "instance_params": .dictionary(instanceParameters),
            ])
        return Spicerack(dryRun: dryRun, configuration: configuration, logger: Logger(label: "test"))
    }

    private func scratch() throws -> String {
        let directory = NSTemporaryDirectory() + "service-accessors-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/alertmanager", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/discovery", withIntermediateDirectories: true)
        return directory
    }

    @Test(
        "alertmanager() reads alertmanager/config.yaml: the default instance, a named one, and clear errors",
        .tags(.alertmanager))
    func alertmanager() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try AlertmanagerServer()
        defer { server.stop() }
        let spicerack = try self.spicerack(directory, instanceParameters: ["spicerack_config_dir": .string(directory)])
        #expect(throws: SpicerackError.self) { try spicerack.alertmanager() }
        try """
            default_instance: production
            instances:
              production:
                urls: [\(server.endpoint)]
              empty:
                urls: []
            """.write(toFile: directory + "/alertmanager/config.yaml", atomically: true, encoding: .utf8)
        #expect(try spicerack.alertmanager().urls == [server.endpoint])
        #expect { try spicerack.alertmanager(instance: "staging") } throws: {
            ($0 as? SpicerackError)?.message.contains("No such alertmanager instance 'staging'") == true
        }
        #expect(throws: AlertmanagerError.self) { try spicerack.alertmanager(instance: "empty") }
        let reason = try spicerack.adminReason("Testing accessors")
        let id = try await spicerack.alertmanagerHosts(["host1"]).downtime(reason, duration: .seconds(60))
        #expect(try await spicerack.alertmanager().silences().map(\.id) == [id])
        // Every client error is a SpicerackRootError, SpicerackError included.
        do {
            _ = try spicerack.alertmanager(instance: "staging")
        } catch let error as any SpicerackRootError {
            #expect(error.message.contains("staging"))
        }
    }

    @Test("confctl() and discovery() read conftool_config, conftool_schema and discovery/authdns.yaml", .tags(.etcd))
    func conftoolAndDiscovery() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = try spicerack(
            directory,
            instanceParameters: [
                "conftool_config": .string(directory + "/missing.yaml"), "spicerack_config_dir": .string(directory),
            ])
        #expect { try missing.confctl("node") } throws: {
            ($0 as? ConftoolError)?.location == directory + "/missing.yaml"
        }
        #expect(try missing.authdnsServers.isEmpty)
        try "[not, a, mapping]\n".write(toFile: directory + "/discovery/authdns.yaml", atomically: true, encoding: .utf8)
        #expect(throws: SpicerackError.self) { try missing.authdnsServers }
        let etcd = try EtcdServer(enableV2: true)
        defer { etcd.stop() }
        try "hosts: [\(etcd.endpoint)]\ndriver_options: {etcd_config_file: \(directory)/none}\n".write(
            toFile: directory + "/conftool.yaml", atomically: true, encoding: .utf8)
        try "dnsdisc:\n  path: discovery\n  tags: [dnsdisc]\n  schema: {pooled: {type: bool, default: false}}\n".write(
            toFile: directory + "/schema.yaml", atomically: true, encoding: .utf8)
        try "ns0: 127.0.0.1:5353\n".write(
            toFile: directory + "/discovery/authdns.yaml", atomically: true, encoding: .utf8)
        let spicerack = try self.spicerack(
            directory,
            instanceParameters: [
                "conftool_config": .string(directory + "/conftool.yaml"),
                "conftool_schema": .string(directory + "/schema.yaml"), "spicerack_config_dir": .string(directory),
            ])
        #expect(try spicerack.confctl("node").directory == "/conftool/v1/pools")
        #expect(try spicerack.authdnsServers == ["ns0": "127.0.0.1:5353"])
        // The schema has no "discovery" entity: the accessor says which ones exist.
        #expect { try spicerack.discovery("appservers-ro") } throws: {
            ($0 as? ConftoolError)?.hint?.contains("dnsdisc, node") == true
        }
    }
}
