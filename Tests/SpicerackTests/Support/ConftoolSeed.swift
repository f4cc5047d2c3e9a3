import Foundation
import TestBed
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real etcd with the v2 API holding conftool objects, and conftool's configuration, etcdrc and schema files
/// for a cookbook run (`instance_params.conftool_config` / `conftool_schema`).
final class ConftoolSeed: Sendable {
    let etcd: EtcdServer
    let directory: String

    var instanceParameters: String {
        "  conftool_config: \(directory)/conftool.yaml\n  conftool_schema: \(directory)/schema.yaml\n"
            + "  spicerack_config_dir: \(directory)/spicerack\n"
    }

    init(directory: String) throws {
        self.directory = directory
        etcd = try EtcdServer(enableV2: true)
        try FileManager.default.createDirectory(atPath: directory + "/spicerack/discovery", withIntermediateDirectories: true)
        try "hosts: [\(etcd.endpoint)]\ndriver_options: {etcd_config_file: \(directory)/etcdrc}\n".write(
            toFile: directory + "/conftool.yaml", atomically: true, encoding: .utf8)
        try "host: 127.0.0.1\nport: \(etcd.clientPort)\nprotocol: http\n".write(
            toFile: directory + "/etcdrc", atomically: true, encoding: .utf8)
        try """
            discovery:
              path: discovery
              tags: [dnsdisc]
              schema:
                pooled: {type: bool, default: false}
                references: {type: list, default: []}
                ttl: {type: int, default: 300}

            """.write(toFile: directory + "/schema.yaml", atomically: true, encoding: .utf8)
        try "{}\n".write(toFile: directory + "/spicerack/discovery/authdns.yaml", atomically: true, encoding: .utf8)
    }

    func stop() { etcd.stop() }

    /// The v2 key of an object: `/conftool/v1/<path>`.
    func put(_ path: String, _ json: String) async throws {
        var request = URLRequest(url: try #require(URL(string: "\(etcd.endpoint)/v2/keys/conftool/v1/\(path)")))
        request.httpMethod = "PUT"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        request.httpBody = Data(("value=" + (json.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")).utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode ?? 0 < 300 else { throw SeedError(path: path) }
    }

    /// The stored JSON of an object.
    func get(_ path: String) async throws -> String {
        let url = try #require(URL(string: "\(etcd.endpoint)/v2/keys/conftool/v1/\(path)"))
        let (data, _) = try await URLSession.shared.data(from: url)
        let document = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return ((document?["node"] as? [String: Any])?["value"] as? String) ?? ""
    }

    struct SeedError: Error {
        var path: String
    }
}
