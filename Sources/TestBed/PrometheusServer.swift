import Foundation

/// A throwaway Prometheus on 127.0.0.1 for tests: a free port, a temporary data directory and a generated
/// configuration that scrapes the given loopback targets (and Prometheus itself, as job `prometheus`).
///
/// ```swift
/// let prometheus = try PrometheusServer(targets: ["127.0.0.1:9100"], scrapeInterval: 1)
/// defer { prometheus.stop() }
/// // query http://127.0.0.1:\(prometheus.port)/api/v1/query?query=up
/// ```
/// The server never touches Debian's system service (`/var/lib/prometheus`, port 9090): it runs in its own session
/// with its own data directory and port and is stopped by PID by ``stop()`` (or when the object goes away). Servers
/// left behind by a test process that was killed are stopped the next time a server starts: each records its
/// owner's PID in the name of its directory under ``baseDirectory``.
public final class PrometheusServer: Sendable {
    /// Where the servers' directories live: `prometheus-<owner pid>-<random>/` with `data/`, `prometheus.yml`,
    /// `prometheus.log`, `prometheus.pid`.
    public static let baseDirectory = "/tmp/spicerack-testbed-prometheus"

    /// The base URL, `http://127.0.0.1:PORT`.
    public let endpoint: String
    /// The port of the web/API listener.
    public let port: Int
    /// The job name the given targets are scraped under.
    public let job: String
    /// The scraped targets, as given.
    public let targets: [String]
    /// This server's directory (data, configuration, log, pid file); removed by ``stop()``.
    public var directory: String { server.directory }
    /// The process ID of Prometheus.
    public var pid: Int32 { server.pid }

    private let server: ServerProcess

    /// Starts Prometheus and returns once it answers `/-/ready`.
    /// - Parameters:
    ///   - targets: `127.x.y.z:port` (or `localhost:port`) addresses to scrape under `job`; only loopback.
    ///   - job: the job name of `targets` (letters, digits, `_`, `-`).
    ///   - scrapeInterval: seconds between scrapes (and rule evaluations), 1...60.
    ///   - startTimeout: how long to wait for readiness, in seconds (at most 30).
    /// - Throws: ``TestBedError``: prometheus missing (`apt-get install prometheus`, or set
    ///   `SPICERACK_TESTBED_PROMETHEUS`), a target or job name that is not allowed, Prometheus exiting while
    ///   starting (with its log tail), or not ready in time.
    public init(
        targets: [String] = [], job: String = "testbed", scrapeInterval: Int = 1, startTimeout: Double = 20
    ) throws {
        let executable = try Tools.find(
            "prometheus", environment: "SPICERACK_TESTBED_PROMETHEUS", hint: "apt-get install prometheus")
        try Self.validate(targets: targets, job: job)
        let interval = min(max(scrapeInterval, 1), 60)
        let timeout = min(max(startTimeout, 1), 30)
        (server, port) = try ServerProcess.start(
            executable, name: "prometheus", base: Self.baseDirectory, timeout: timeout, gracePeriod: 5
        ) { directory in
            let port = try ServerDirectory.freePort()
            try FileSystem.write(
                Self.configuration(port: port, targets: targets, job: job, interval: interval),
                to: directory + "/prometheus.yml")
            let arguments = [
                "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--web.enable-lifecycle", "--log.level=warn",
            ]
            return .init(setup: port, arguments: arguments) {
                ServerDirectory.httpStatus(port: port, path: "/-/ready") == 200
            }
        }
        self.endpoint = "http://127.0.0.1:\(port)"
        self.job = job
        self.targets = targets
    }

    /// Stops Prometheus by PID (SIGTERM, then SIGKILL after a bounded wait) and removes its directory; idempotent.
    public func stop() {
        server.stop()
    }

    /// Whether the Prometheus process still runs.
    public var isRunning: Bool {
        server.isRunning
    }

    // MARK: - Configuration

    /// Refuses targets off loopback and names that could change the generated YAML's structure.
    private static func validate(targets: [String], job: String) throws {
        let jobCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-"))
        guard !job.isEmpty, job.count <= 64, job.unicodeScalars.allSatisfy({ jobCharacters.contains($0) }) else {
            throw TestBedError.invalidConfiguration("prometheus job name '\(job)': use letters, digits, '_' or '-'")
        }
        guard targets.count <= 64 else {
            throw TestBedError.invalidConfiguration("prometheus: at most 64 targets, got \(targets.count)")
        }
        for target in targets {
            let parts = target.split(separator: ":", omittingEmptySubsequences: false)
            let host = parts.first.map(String.init) ?? ""
            guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port),
                host == "localhost" || Loopback.isLoopback(host)
            else {
                throw TestBedError.invalidConfiguration(
                    "prometheus target '\(target)': expected 127.x.y.z:PORT or localhost:PORT")
            }
        }
    }

    private static func configuration(port: Int, targets: [String], job: String, interval: Int) -> String {
        var text = """
            # Generated by TestBed's PrometheusServer.
            global:
              scrape_interval: \(interval)s
              evaluation_interval: \(interval)s
            scrape_configs:
              - job_name: prometheus
                static_configs:
                  - targets: ['127.0.0.1:\(port)']

            """
        if !targets.isEmpty {
            text += """
                  - job_name: '\(job)'
                    static_configs:
                      - targets: [\(targets.map { "'\($0)'" }.joined(separator: ", "))]

                """
        }
        return text
    }
}
