import Foundation
import Logging
import SpicerackClients
import TestBed

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// A real etcd with the v2 API, conftool's configuration, etcdrc and schema in a scratch directory, and conftool's
/// own tools (`confctl`, `conftool-sync` from the tools venv) pointed at them.
final class ConftoolFixture: Sendable {
    static let schema = """
        discovery:
          path: discovery
          tags: [dnsdisc]
          schema:
            pooled: {type: bool, default: false}
            references: {type: list, default: []}
            ttl: {type: int, default: 300}
        service:
          path: services
          tags: [dc, cluster]
          schema:
            default_values: {type: dict, default: {}}
            datacenters: {type: list, default: []}

        """

    let etcd: EtcdServer
    let directory: String
    let confctlPath: String
    let syncPath: String

    var configPath: String { directory + "/config.yaml" }
    var schemaPath: String { directory + "/schema.yaml" }

    /// Starts etcd and writes the files; `nodes` maps dc → cluster → host → services, `discovery` maps a record
    /// to its datacenters (all created depooled/inactive by conftool-sync). With `certificates`, etcd serves HTTPS
    /// and requires a client certificate, which the etcdrc names (python-etcd's `ca_cert` and `cert`).
    init(
        nodes: [String: [String: [String: [String]]]] = [:], discovery: [String: [String]] = [:],
        etcdrcExtra: String = "", certificates: TestCertificates? = nil
    ) throws {
        guard let confctl = venvTool("confctl"), let sync = venvTool("conftool-sync") else {
            throw FixtureError("conftool is not installed in .venv: run scripts/setup.sh")
        }
        confctlPath = confctl
        syncPath = sync
        etcd = try EtcdServer(enableV2: true, tls: certificates?.etcdTLS(requireClientCertificate: true))
        directory = "/tmp/spicerack-clients-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory + "/sync/node", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/sync/discovery", withIntermediateDirectories: true)
        try Self.write(
            "hosts: [\(etcd.endpoint)]\ndriver_options:\n  etcd_config_file: \(directory)/etcdrc\n", to: configPath)
        let tls = certificates.map { "ca_cert: \($0.caFile)\ncert: \($0.clientCombinedFile)\n" } ?? ""
        try Self.write(
            "host: 127.0.0.1\nport: \(etcd.clientPort)\nprotocol: \(certificates == nil ? "http" : "https")\n"
                + tls + etcdrcExtra,
            to: directory + "/etcdrc")
        try Self.write(Self.schema, to: schemaPath)
        var nodeYAML = ""
        for (dc, clusters) in nodes.sorted(by: { $0.key < $1.key }) {
            nodeYAML += "\(dc):\n"
            for (cluster, hosts) in clusters.sorted(by: { $0.key < $1.key }) {
                nodeYAML += "  \(cluster):\n"
                for (host, services) in hosts.sorted(by: { $0.key < $1.key }) {
                    nodeYAML += "    \(host): [\(services.joined(separator: ", "))]\n"
                }
            }
        }
        try Self.write(nodeYAML.isEmpty ? "{}\n" : nodeYAML, to: directory + "/sync/node/all.yaml")
        let discoveryYAML = discovery.sorted(by: { $0.key < $1.key })
            .map { "\($0.key): [\($0.value.joined(separator: ", "))]" }.joined(separator: "\n")
        try Self.write(discoveryYAML.isEmpty ? "{}\n" : discoveryYAML + "\n", to: directory + "/sync/discovery/all.yaml")
        if !nodes.isEmpty || !discovery.isEmpty {
            let result = try run(
                syncPath, ["--config", configPath, "--schema", schemaPath, "--directory", directory + "/sync"])
            guard result.status == 0 else { throw FixtureError("conftool-sync failed: \(result.output)") }
        }
    }

    deinit { close() }

    func close() {
        etcd.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Turns on etcd's v2 authentication: a `root` user, a `conftool` user allowed to read and write `/conftool`,
    /// and a guest allowed nothing; then writes `conftool`'s credentials into the etcdrc (for confctl and us).
    func enableAuthentication(password: String) async throws {
        func send(_ path: String, _ body: String, asRoot: Bool = false) async throws {
            var request = URLRequest(url: URL(string: etcd.endpoint + path)!)
            request.httpMethod = "PUT"
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            if asRoot {
                request.setValue(
                    "Basic " + Data("root:rootpw".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard (200..<300).contains(status) else {
                throw FixtureError("PUT \(path): HTTP \(status) \(String(decoding: data, as: UTF8.self))")
            }
        }
        try await send("/v2/auth/users/root", #"{"user": "root", "password": "rootpw"}"#)
        try await send("/v2/auth/users/conftool", #"{"user": "conftool", "password": "\#(password)"}"#)
        try await send(
            "/v2/auth/roles/conftool-rw",
            #"{"role": "conftool-rw", "permissions": {"kv": {"read": ["/conftool/*"], "write": ["/conftool/*"]}}}"#)
        try await send("/v2/auth/users/conftool", #"{"user": "conftool", "grant": ["conftool-rw"]}"#)
        try await send("/v2/auth/enable", "")
        try await send(
            "/v2/auth/roles/guest", #"{"role": "guest", "revoke": {"kv": {"read": ["/*"], "write": ["/*"]}}}"#,
            asRoot: true)
        try Self.write(
            "host: 127.0.0.1\nport: \(etcd.clientPort)\nprotocol: http\nusername: conftool\npassword: \(password)\n",
            to: directory + "/etcdrc")
    }

    /// Rewrites the etcdrc (for the TLS refusals).
    func writeEtcdrc(_ text: String) throws {
        try Self.write(text, to: directory + "/etcdrc")
    }

    /// A Swift client on the same files.
    func conftool(dryRun: Bool = false, logger: Logger = Logger(label: "test")) throws -> Conftool {
        try Conftool(configurationPath: configPath, schemaPath: schemaPath, dryRun: dryRun, logger: logger)
    }

    /// Runs conftool's `confctl` with the fixture's configuration and schema; stdout only in `output`.
    func confctl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try run(confctlPath, ["--config", configPath, "--schema", schemaPath, "--quiet"] + arguments)
    }

    /// The objects `confctl ... get` prints, one JSON document per line, parsed.
    func confctlGet(objectType: String = "node", _ selector: String) throws -> [[String: Any]] {
        let result = try confctl(["--object-type", objectType, "select", selector, "get"])
        guard result.status == 0 else { throw FixtureError("confctl get \(selector) failed: \(result.output)") }
        return result.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory  // no ~/.etcdrc of the user
        environment["USER"] = "conftool-test-nobody"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
