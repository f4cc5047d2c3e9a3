import Foundation
import Spicerack
import SpicerackLocks
import TestBed
import Testing

/// Which lock backend a configuration gives, and the user's `~/.etcdrc` merged over `etcd_config`.
@Suite struct LockConfigurationTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "lock-configuration-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func configuration() throws -> SpicerackConfiguration {
        let etcd = try write("etcd.yaml", "host: 127.0.0.1\nport: 2379\n")
        let path = try write(
            "config.yaml", "cookbooks_base_dirs: [\(directory)]\ninstance_params:\n  etcd_config: \(etcd)\n")
        return try SpicerackConfiguration.load(path, environment: [:])
    }

    @Test func theUsersEtcdrcWinsOverEtcdConfig() throws {
        let config = try configuration()
        let alone = try #require(try LockConfiguration.backend(config) as? EtcdLockBackend)
        #expect(alone.endpoints == ["http://127.0.0.1:2379"])
        let etcdrc = try write("etcdrc", "port: 4001\nprotocol: https\n")
        let merged = try #require(try LockConfiguration.backend(config, userEtcdrc: etcdrc) as? EtcdLockBackend)
        #expect(merged.endpoints == ["https://127.0.0.1:4001"])
        let missing = try #require(
            try LockConfiguration.backend(config, userEtcdrc: directory + "/none") as? EtcdLockBackend)
        #expect(missing.endpoints == ["http://127.0.0.1:2379"], "no .etcdrc: etcd_config alone")
    }

    @Test func aBrokenEtcdrcNamesItself() throws {
        let config = try configuration()
        let etcdrc = try write("etcdrc", "port: [4001\n")
        let error = try #require(throws: ConfigurationError.self) {
            _ = try LockConfiguration.backend(config, userEtcdrc: etcdrc)
        }
        #expect(error.path == etcdrc)
        #expect(error.description.contains("move it away"))
    }

    @Test func tlsFilesComeFromTheEtcdrcKeys() throws {
        let config = try configuration()
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let etcdrc = try write(
            "etcdrc",
            "protocol: https\nca_cert: \(certificates.caFile)\ncert: [\(certificates.clientCertificateFile), "
                + "\(certificates.clientKeyFile)]\n")
        let backend = try #require(try LockConfiguration.backend(config, userEtcdrc: etcdrc) as? EtcdLockBackend)
        #expect(backend.endpoints == ["https://127.0.0.1:2379"])
        let broken = try write("broken-etcdrc", "protocol: https\ncert: \(directory)/missing.pem\n")
        let error = try #require(throws: ConfigurationError.self) {
            _ = try LockConfiguration.backend(config, userEtcdrc: broken)
        }
        #expect(error.path == "\(directory)/missing.pem")
        #expect(error.description.contains("cannot read the client certificate file"))
    }

    @Test func theEtcdrcPathIsInTheUsersHome() {
        #expect(LockConfiguration.userEtcdrcPath(user: "root") == "/root/.etcdrc")
        #expect(LockConfiguration.userEtcdrcPath(user: "no-such-user-\(UUID().uuidString.prefix(6))") == nil)
    }
}
