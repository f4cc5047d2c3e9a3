import Foundation

/// A throwaway single-node etcd on 127.0.0.1 for tests: free client and peer ports, a temporary data directory.
///
/// ```swift
/// let etcd = try EtcdServer()
/// defer { etcd.stop() }
/// let backend = EtcdLockBackend(endpoints: [etcd.endpoint])
/// ```
/// The server runs in its own session and is stopped by PID by ``stop()`` (or when the object goes away). Servers
/// left behind by a test process that was killed are stopped the next time a server starts: each records its
/// owner's PID in the name of its directory under ``baseDirectory``.
public final class EtcdServer: Sendable {
    /// Where the servers' directories live: `etcd-<owner pid>-<random>/` with `data/`, `etcd.log`, `etcd.pid`.
    public static let baseDirectory = "/tmp/spicerack-testbed-etcd"

    /// TLS on the client listener: the server's certificate and key, and with ``clientCA`` the CA whose client
    /// certificates it requires (`--client-cert-auth`). All files PEM.
    public struct TLS: Sendable {
        /// The server certificate (its names must include 127.0.0.1).
        public var certificateFile: String
        /// The server's private key.
        public var keyFile: String
        /// The CA of the client certificates; nil accepts clients without a certificate.
        public var clientCA: String?

        /// TLS settings.
        public init(certificateFile: String, keyFile: String, clientCA: String? = nil) {
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.clientCA = clientCA
        }
    }

    /// The client URL, `http://127.0.0.1:PORT` (`https://` with TLS).
    public let endpoint: String
    /// The port of the client (and JSON gateway) listener.
    public let clientPort: Int
    /// The port of the peer listener.
    public let peerPort: Int
    /// This server's directory (data, log, pid file); removed by ``stop()``.
    public var directory: String { server.directory }
    /// The process ID of etcd.
    public var pid: Int32 { server.pid }

    private let server: ServerProcess

    /// Starts etcd and returns once it answers `/health`.
    /// - Parameters:
    ///   - startTimeout: how long to wait for etcd to become healthy, in seconds (at most 15).
    ///   - enableV2: also serve the v2 keys API (`--enable-v2`), which conftool's data lives in.
    ///   - tls: serve clients over HTTPS (health is then checked on a plain-HTTP metrics listener).
    /// - Throws: ``TestBedError``: etcd missing (`apt-get install etcd-server`, or set `SPICERACK_TESTBED_ETCD`),
    ///   etcd exiting while starting (with its log tail), or not answering in time.
    public init(startTimeout: Double = 15, enableV2: Bool = false, tls: TLS? = nil) throws {
        let executable = try Tools.find(
            "etcd", environment: "SPICERACK_TESTBED_ETCD", hint: "apt-get install etcd-server")
        (server, (clientPort, peerPort)) = try ServerProcess.start(
            executable, name: "etcd", base: Self.baseDirectory, timeout: min(max(startTimeout, 1), 15), gracePeriod: 3
        ) { directory in
            let ports = try ServerDirectory.freePorts(tls == nil ? 2 : 3)
            let client = "\(tls == nil ? "http" : "https")://127.0.0.1:\(ports[0])"
            let peer = "http://127.0.0.1:\(ports[1])"
            let health = tls == nil ? ports[0] : ports[2]
            let arguments =
                [
                    "--name", "testbed", "--data-dir", directory + "/data",
                    "--listen-client-urls", client, "--advertise-client-urls", client,
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                    "--initial-cluster", "testbed=\(peer)", "--initial-cluster-state", "new",
                ] + (enableV2 ? ["--enable-v2=true"] : []) + Self.tlsArguments(tls, metricsPort: health)
            return .init(setup: (ports[0], ports[1]), arguments: arguments) {
                ServerDirectory.httpGet(port: health, path: "/health")?.contains("\"health\":\"true\"") ?? false
            }
        }
        endpoint = "\(tls == nil ? "http" : "https")://127.0.0.1:\(clientPort)"
    }

    /// Stops etcd by PID (SIGTERM, then SIGKILL after a bounded wait) and removes its directory; idempotent.
    public func stop() {
        server.stop()
    }

    /// Whether the etcd process still runs.
    public var isRunning: Bool {
        server.isRunning
    }

    private static func tlsArguments(_ tls: TLS?, metricsPort: Int) -> [String] {
        guard let tls else { return [] }
        var arguments = [
            "--cert-file", tls.certificateFile, "--key-file", tls.keyFile,
            "--listen-metrics-urls", "http://127.0.0.1:\(metricsPort)",
        ]
        if let clientCA = tls.clientCA {
            arguments += ["--client-cert-auth", "--trusted-ca-file", clientCA]
        }
        return arguments
    }
}
