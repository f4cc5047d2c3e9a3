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
    public let directory: String
    /// The process ID of Alertmanager.
    public let pid: Int32

    private let process: ProcessIdentity
    private let lock = NSLock()
    private nonisolated(unsafe) var stopped = false

    /// Starts Alertmanager and returns once it answers `/-/ready`.
    /// - Throws: ``TestBedError``: the program missing (`apt-get install prometheus-alertmanager`, or set
    ///   `SPICERACK_TESTBED_ALERTMANAGER`), exiting while starting (with its log tail), or not ready in time.
    public init(startTimeout: Double = 20) throws {
        let executable = try Tools.find(
            "prometheus-alertmanager", environment: "SPICERACK_TESTBED_ALERTMANAGER",
            hint: "apt-get install prometheus-alertmanager")
        // A port picked as free may be taken before Alertmanager binds it: another port is tried then.
        let (port, directory, process) = try ServerDirectory.start(base: Self.baseDirectory, prefix: "alertmanager") {
            directory in
            let port = try ServerDirectory.freePort()
            try FileSystem.write(
                "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n", to: directory + "/alertmanager.yml")
            let process = try ServerDirectory.launchAndWait(
                executable,
                [
                    "--config.file=\(directory)/alertmanager.yml", "--storage.path=\(directory)/data",
                    "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=", "--log.level=warn",
                ],
                directory: directory, name: "alertmanager", timeout: min(max(startTimeout, 1), 30)
            ) { ServerDirectory.httpStatus(port: port, path: "/-/ready") == 200 }
            return (port, directory, process)
        }
        self.endpoint = "http://127.0.0.1:\(port)"
        self.port = port
        self.directory = directory
        self.pid = process.pid
        self.process = process
    }

    deinit {
        stop()
    }

    /// Stops Alertmanager by PID and removes its directory; idempotent.
    public func stop() {
        let first: Bool = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        ProcessTable.terminate([process], gracePeriod: 5)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Whether Alertmanager still runs.
    public var isRunning: Bool { ProcessTable.isAlive(process) }
}
