import Foundation
import SpicerackLocks
import Wmflib

/// Conftool's client configuration (`/etc/conftool/config.yaml`) and the etcdrc it names, read as conftool does.
///
/// ```yaml
/// # config.yaml
/// namespace: /conftool          # default
/// api_version: v1               # default
/// pools_path: pools             # default: where node objects live
/// hosts: [http://127.0.0.1:2379]
/// driver_options:
///   etcd_config_file: /etc/conftool/etcdrc
/// # etcdrc (python-etcd's client options; host/port/protocol override hosts)
/// host: 127.0.0.1
/// port: 2379
/// protocol: http
/// username: conftool            # optional: etcd authentication
/// password: secret
/// ca_cert: /etc/ssl/ca.pem      # optional, with protocol https: the CA of etcd's certificate
/// cert: /etc/etcd/client.pem    # optional: client certificate and key (one PEM file, or [cert, key])
/// ```
public struct ConftoolConfiguration: Sendable, Equatable {
    /// The etcd client URLs.
    public var endpoints: [String]
    /// The key prefix, `/conftool`.
    public var namespace: String
    /// The API version, `v1`.
    public var apiVersion: String
    /// Where node objects live under the namespace, `pools`.
    public var poolsPath: String
    /// The etcd user, when etcd requires authentication.
    public var username: String?
    /// The etcd password.
    public var password: String?
    /// The CA and client certificate for HTTPS (`ca_cert`, `cert` in the etcdrc).
    public var tls: EtcdTLSOptions

    /// A configuration for the given endpoints with conftool's defaults.
    public init(
        endpoints: [String], namespace: String = "/conftool", apiVersion: String = "v1", poolsPath: String = "pools",
        username: String? = nil, password: String? = nil, tls: EtcdTLSOptions = EtcdTLSOptions()
    ) {
        self.endpoints = endpoints
        self.namespace = namespace
        self.apiVersion = apiVersion
        self.poolsPath = poolsPath
        self.username = username
        self.password = password
        self.tls = tls
    }

    /// The root of every entity's keys: `<namespace>/<api_version>`.
    public var root: String {
        (namespace.hasSuffix("/") ? String(namespace.dropLast()) : namespace) + "/" + apiVersion
    }

    /// Reads `path` and the etcdrc named by its `driver_options.etcd_config_file` (default `/etc/conftool/etcdrc`,
    /// skipped when missing).
    /// - Throws: ``ConftoolError`` naming the file and key at fault.
    public static func load(_ path: String) throws(ConftoolError) -> ConftoolConfiguration {
        let raw: [String: YAMLValue]
        do {
            raw = try loadYAMLConfig(path)
        } catch {
            throw ConftoolError("Unable to load the conftool configuration: \(error.message)", location: path)
        }
        var configuration = ConftoolConfiguration(endpoints: ["http://localhost:2379"])
        if let hosts = raw["hosts"]?.arrayValue {
            configuration.endpoints = hosts.compactMap(\.stringValue)
        }
        if let namespace = raw["namespace"]?.stringValue { configuration.namespace = namespace }
        if let version = raw["api_version"]?.stringValue { configuration.apiVersion = version }
        if let pools = raw["pools_path"]?.stringValue {
            guard ConftoolSchema.isPathSegment(pools, allowSlash: true) else {
                throw ConftoolError("pools_path must be a relative path of plain names", location: "\(path): pools_path")
            }
            configuration.poolsPath = pools
        }
        guard configuration.namespace.hasPrefix("/"),
            ConftoolSchema.isPathSegment(String(configuration.namespace.dropFirst()), allowSlash: true),
            ConftoolSchema.isPathSegment(configuration.apiVersion, allowSlash: false)
        else {
            throw ConftoolError(
                "namespace must be an absolute path and api_version a plain name", location: path)
        }
        let etcdrc = raw["driver_options"]?["etcd_config_file"]?.stringValue ?? "/etc/conftool/etcdrc"
        if FileManager.default.fileExists(atPath: etcdrc) {
            try configuration.merge(etcdrc: etcdrc)
        }
        if !configuration.tls.isEmpty {
            do {
                _ = try EtcdTLSTransport(options: configuration.tls)
            } catch {
                throw ConftoolError(
                    "Unable to use the etcd TLS files: \(error.reason)", location: error.path,
                    hint: "check ca_cert and cert in \(etcdrc)")
            }
        }
        return configuration
    }

    /// Applies python-etcd's `host`, `port`, `protocol`, `username` and `password` from an etcdrc.
    mutating func merge(etcdrc path: String) throws(ConftoolError) {
        let raw: [String: YAMLValue]
        do {
            raw = try loadYAMLConfig(path)
        } catch {
            throw ConftoolError("Unable to load the etcd client configuration: \(error.message)", location: path)
        }
        let scheme = raw["protocol"]?.stringValue ?? "http"
        guard scheme == "http" || scheme == "https" else {
            throw ConftoolError("protocol must be http or https, got \(scheme)", location: "\(path): protocol")
        }
        let port = raw["port"]?.intValue ?? 4001
        if let host = raw["host"]?.stringValue {
            endpoints = ["\(scheme)://\(host):\(port)"]
        } else if let hosts = raw["host"]?.arrayValue {
            // python-etcd's list of (host, port) pairs
            endpoints = hosts.compactMap { pair in
                guard let items = pair.arrayValue, items.count == 2, let host = items[0].stringValue,
                    let port = items[1].intValue
                else { return nil }
                return "\(scheme)://\(host):\(port)"
            }
        }
        username = raw["username"]?.stringValue ?? username
        password = raw["password"]?.stringValue ?? password
        do {
            let options = try EtcdTLSOptions.fromEtcdrc(raw, file: path)
            if !options.isEmpty { tls = options }
        } catch {
            throw ConftoolError(error.reason, location: path)
        }
    }

    /// The etcd client for this configuration: through ``EtcdTLSTransport`` when a CA or client certificate is
    /// set. TLS files that cannot be used (``load(_:)`` checks them first) fail every request with their reason.
    func client(timeout: Duration) -> EtcdClient {
        let credentials = username.map { (user: $0, password: password ?? "") }
        let transport: any EtcdHTTPTransport
        if tls.isEmpty {
            transport = URLSessionEtcdTransport()
        } else {
            do {
                transport = try EtcdTLSTransport(options: tls)
            } catch {
                transport = UnusableTransport(reason: "\(error)")
            }
        }
        return EtcdClient(endpoints: endpoints, requestTimeout: timeout, credentials: credentials, transport: transport)
    }
}

/// The transport of a configuration whose TLS files cannot be used: every request fails with why.
private struct UnusableTransport: EtcdHTTPTransport {
    var reason: String
    var followsEnvironmentProxy: Bool { false }

    func send(_ request: EtcdHTTPRequest) async throws -> EtcdHTTPResponse {
        throw EtcdTransportError("unusable TLS configuration: \(reason)")
    }
}
