import Foundation
import TestSupport

/// A real HTTP service on a bed host, started over SSH so it sees the host's own /srv: it answers with the version
/// of the deployed tree (`/srv/deployment/<repo>/version.txt`, read on every request), fails the share of `/`
/// requests that the deployed `errors.txt` gives in percent (0 when absent), and exposes Prometheus metrics
/// (`http_requests_total` by `code`) on `/metrics`.
struct MetricsService {
    var host: String
    var srvPath: String
    var port: Int
    var repo = "web"

    /// The service's script, `scripts/backport-service.py` of this package.
    static var scriptPath: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("scripts/backport-service.py").path
    }

    static var script: String { (try? String(contentsOfFile: scriptPath, encoding: .utf8)) ?? "" }

    /// Writes the service into the host's /srv and starts it over SSH.
    func start(sshConfig: String) throws {
        let directory = srvPath + "/metrics-svc"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.script.write(toFile: directory + "/service.py", atomically: true, encoding: .utf8)
        let command =
            "nohup /usr/bin/python3 /srv/metrics-svc/service.py \(port) /srv/deployment/\(repo) \(host) "
            + ">/srv/metrics-svc/log 2>&1 </dev/null & echo $! >/srv/metrics-svc/pid"
        let output = try runTool("/usr/bin/ssh", ["-F", sshConfig, host, command], timeout: 30)
        guard output.status == 0 else {
            throw TargetTestFailure("cannot start the service on \(host): \(output.stderr)")
        }
        for _ in 0..<50 {
            if (try? get("metrics")) != nil { return }
            usleep(100_000)
        }
        throw TargetTestFailure("the service on \(host) does not answer on port \(port)")
    }

    /// Stops the service by its pidfile.
    func stop() {
        guard let text = try? String(contentsOfFile: srvPath + "/metrics-svc/pid", encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1
        else { return }
        kill(pid, SIGTERM)
    }

    /// What the service answers for `path` (any status), or `nil` when it does not answer.
    func get(_ path: String) throws -> String? {
        let output = try runTool(
            "/usr/bin/curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(port)/\(path)"], timeout: 10)
        return output.status == 0 ? output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }
}

/// Steady traffic on `/` of some services, from one Python process, stopped by PID.
final class TrafficGenerator {
    let process: Process

    /// Sends a request to each port every 50 ms.
    init(ports: [Int]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [MetricsService.scriptPath, "traffic"] + ports.map(String.init)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { stop() }
}

/// A bed of hosts, each running a ``MetricsService``; stopped afterwards.
struct ServiceBed {
    var bed: TargetBed
    var services: [String: MetricsService]

    /// What `host` serves on `/version`.
    func version(_ host: String) throws -> String? { try services[host]?.get("version") }

    /// Each host's `host address:port` line, for `smoke_test_hosts`.
    var addressFile: String {
        services.values.sorted { $0.host < $1.host }.map { "\($0.host) 127.0.0.1:\($0.port)" }.joined(separator: "\n")
            + "\n"
    }
}

/// Starts a bed of `hosts` hosts with a service on each for one test.
func withServiceBed<T>(hosts: Int = 5, _ body: (ServiceBed) async throws -> T) async throws -> T {
    try await withTargetBed(hosts: hosts) { bed in
        var services: [String: MetricsService] = [:]
        defer { for service in services.values { service.stop() } }
        for host in bed.hosts {
            let service = MetricsService(host: host, srvPath: bed.srvPath(of: host), port: try freeLoopbackPort())
            services[host] = service
            try service.start(sshConfig: bed.sshConfigPath)
        }
        return try await body(ServiceBed(bed: bed, services: services))
    }
}
