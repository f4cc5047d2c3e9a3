import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
    public let directory: String
    /// The process ID of Prometheus.
    public let pid: Int32

    private let process: ProcessIdentity
    private let lock = NSLock()
    private nonisolated(unsafe) var stopped = false

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
        try FileSystem.createDirectory(Self.baseDirectory, mode: 0o700)
        Self.stopOrphans()
        let timeout = min(max(startTimeout, 1), 30)
        var lastError: (any Error)?
        // A port picked as free may be taken before Prometheus binds it: try again with another port, a few times.
        for _ in 0..<3 {
            let directory = "\(Self.baseDirectory)/prometheus-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            do {
                let port = try Self.freePort()
                try FileSystem.createDirectory(directory, mode: 0o700)
                try FileSystem.write(
                    Self.configuration(port: port, targets: targets, job: job, interval: interval),
                    to: directory + "/prometheus.yml")
                let process = try Self.launch(executable, directory: directory, port: port)
                do {
                    try Self.waitUntilReady(process, directory: directory, port: port, timeout: timeout)
                } catch {
                    ProcessTable.terminate([process], gracePeriod: 2)
                    throw error
                }
                self.endpoint = "http://127.0.0.1:\(port)"
                self.port = port
                self.job = job
                self.targets = targets
                self.directory = directory
                self.pid = process.pid
                self.process = process
                return
            } catch let error as TestBedError {
                try? FileManager.default.removeItem(atPath: directory)
                lastError = error
                guard case .commandFailed(_, _, let output) = error, output.contains("address already in use") else {
                    throw error
                }
            }
        }
        throw lastError ?? TestBedError.invalidConfiguration("prometheus could not be started")
    }

    deinit {
        stop()
    }

    /// Stops Prometheus by PID (SIGTERM, then SIGKILL after a bounded wait) and removes its directory; idempotent.
    public func stop() {
        let first: Bool = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        ProcessTable.terminate([process], gracePeriod: 5)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Whether the Prometheus process still runs.
    public var isRunning: Bool {
        ProcessTable.isAlive(process)
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

    // MARK: - Start-up

    private static func launch(_ executable: String, directory: String, port: Int) throws -> ProcessIdentity {
        let logPath = directory + "/prometheus.log"
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else {
            throw TestBedError.fileSystem(path: logPath, reason: "cannot open log: \(String(cString: strerror(errno)))")
        }
        defer { close(log) }
        let arguments = [
            "--config.file=\(directory)/prometheus.yml",
            "--storage.tsdb.path=\(directory)/data",
            "--web.listen-address=127.0.0.1:\(port)",
            "--web.enable-lifecycle",
            "--log.level=warn",
        ]
        let pid = try ChildProcess.spawn(executable, arguments, stdout: log, stderr: log)
        let process = ProcessTable.identity(of: pid) ?? ProcessIdentity(pid: pid, startTime: nil)
        try FileSystem.write(
            "\(pid) \(process.startTime.map(String.init) ?? "-")\n", to: directory + "/prometheus.pid")
        return process
    }

    private static func waitUntilReady(
        _ process: ProcessIdentity, directory: String, port: Int, timeout: Double
    ) throws {
        let logPath = directory + "/prometheus.log"
        let ready = try pollUntil(timeout: timeout, interval: 0.1) {
            guard ProcessTable.isAlive(process) else {
                throw TestBedError.commandFailed(
                    command: "prometheus (log \(logPath))", exitCode: -1, output: FileSystem.tail(logPath))
            }
            let statusLine = readyAnswer(port: port)?.split(separator: "\r\n", maxSplits: 1).first ?? ""
            return statusLine.hasPrefix("HTTP/1.") && statusLine.contains(" 200")
        }
        guard ready else {
            throw TestBedError.commandTimeout(
                command: "prometheus on 127.0.0.1:\(port) (log \(logPath))", seconds: timeout)
        }
    }

    /// The answer (status line, headers, body) to `GET /-/ready` on 127.0.0.1:`port`, or nil when nothing answers
    /// within a second.
    private static func readyAnswer(port: Int) -> String? {
        guard var address = Loopback.socketAddress("127.0.0.1", port) else { return nil }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard send(descriptor, request, request.count, 0) == request.count else { return nil }
        var answer = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Bounded: HTTP/1.0 closes after the answer; at most 16 reads of a small body, each under a 1 s timeout.
        for _ in 0..<16 {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// A port of 127.0.0.1 that is free now (picked by the kernel).
    private static func freePort() throws -> Int {
        guard var address = Loopback.socketAddress("127.0.0.1", 1) else {
            throw TestBedError.noFreePort(range: 1...65535)
        }
        address.sin_port = 0
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ChildProcess.posixError("socket") }
        defer { close(descriptor) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw ChildProcess.posixError("bind 127.0.0.1:0") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Stops the servers whose owning process is gone (a test run that was killed) and removes their directories.
    private static func stopOrphans() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: baseDirectory) else { return }
        for entry in entries where entry.hasPrefix("prometheus-") {
            let parts = entry.split(separator: "-")
            guard parts.count == 3, let owner = Int32(parts[1]), ProcessTable.identity(of: owner) == nil else {
                continue
            }
            let directory = "\(baseDirectory)/\(entry)"
            let fields = (FileSystem.read(directory + "/prometheus.pid") ?? "").split(separator: " ")
            if let pid = fields.first.flatMap({ Int32($0) }) {
                let startTime =
                    fields.count > 1 ? UInt64(fields[1].trimmingCharacters(in: .whitespacesAndNewlines)) : nil
                ProcessTable.terminate([ProcessIdentity(pid: pid, startTime: startTime)], gracePeriod: 2)
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
