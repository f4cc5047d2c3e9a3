import Foundation

/// A throwaway Alertmanager (Debian's `prometheus-alertmanager`) on 127.0.0.1 for tests: a free port, its own
/// storage directory, clustering off, a configuration that routes every alert to a receiver doing nothing.
///
/// ```swift
/// let alertmanager = try AlertmanagerServer()
/// defer { alertmanager.stop() }
/// // POST \(alertmanager.endpoint)/api/v2/silences
/// ```
/// The server never touches Debian's system service (port 9093, /var/lib/prometheus); stopped by PID.
public final class AlertmanagerServer: Sendable {
    /// Where the servers' directories live.
    public static let baseDirectory = "/tmp/spicerack-testbed-alertmanager"

    /// The base URL, `http://127.0.0.1:PORT`.
    public let endpoint: String
    /// The port of the web/API listener.
    public let port: Int
    /// This server's directory; removed by ``stop()``.
    public var directory: String { server.directory }
    /// The process ID of Alertmanager.
    public var pid: Int32 { server.pid }

    private let server: ServerProcess

    /// Starts Alertmanager and returns once it answers `/-/ready`.
    /// - Throws: ``TestBedError``: the program missing (`apt-get install prometheus-alertmanager`, or set
    ///   `SPICERACK_TESTBED_ALERTMANAGER`), exiting while starting (with its log tail), or not ready in time.
    public init(startTimeout: Double = 20) throws {
        let executable = try Tools.find(
            "prometheus-alertmanager", environment: "SPICERACK_TESTBED_ALERTMANAGER",
            hint: "apt-get install prometheus-alertmanager")
        (server, port) = try ServerProcess.start(
            executable, name: "alertmanager", base: Self.baseDirectory, timeout: min(max(startTimeout, 1), 30),
            gracePeriod: 5
        ) { directory in
            let port = try ServerDirectory.freePort()
            try FileSystem.write(
                "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n", to: directory + "/alertmanager.yml")
            let arguments = [
                "--config.file=\(directory)/alertmanager.yml", "--storage.path=\(directory)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=", "--log.level=warn",
            ]
            return .init(setup: port, arguments: arguments) {
                ServerDirectory.httpStatus(port: port, path: "/-/ready") == 200
            }
        }
        self.endpoint = "http://127.0.0.1:\(port)"
    }

    /// Stops Alertmanager by PID and removes its directory; idempotent.
    public func stop() {
        server.stop()
    }

    /// Whether Alertmanager still runs.
    public var isRunning: Bool { server.isRunning }
}
