import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import Synchronization
import TestSupport
import Testing

/// The live-log benchmark (bench/spiderpig/run.sh; not a timed test, skipped unless SPIDERPIG_BENCH is set):
/// a stand-in scap writes SPIDERPIG_BENCH_LINES lines at 10,000 lines/s while SPIDERPIG_BENCH_VIEWERS WebSockets
/// watch the job. Reports stored records per second, the delivery delay from storage to each viewer (p50, p99,
/// max), the server's CPU seconds per 1,000 lines, and job-list requests per second.
@Suite(
    .tags(.sshd, .idp), .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["SPIDERPIG_BENCH"] != nil && SpiderPigBed.toolsInstalled))
struct LiveBenchmark {
    final class Viewer: Sendable {
        let delays = Mutex<[Double]>([])
        let count = Mutex(0)
        let done = Mutex(false)
        let task = Mutex<Task<Void, Never>?>(nil)

        init(url: String, cookie: String, lines: Int) {
            let started = Task { [self] in
                var headers = HTTPFields()
                headers[.cookie] = cookie
                _ = try? await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: 1 << 20, additionalHeaders: headers),
                    logger: Logger(label: "bench")
                ) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message, text.hasPrefix(#"{"type":"records""#) else { continue }
                        let now = Date().timeIntervalSince1970
                        var found: [Double] = []
                        var rest = text[...]
                        while let kind = rest.range(of: #""kind":"line","at":"#) {
                            rest = rest[kind.upperBound...]
                            if let at = Double(rest.prefix { $0.isNumber || $0 == "." }) { found.append(now - at) }
                        }
                        self.delays.withLock { $0.append(contentsOf: found) }
                        let seen = self.count.withLock { value -> Int in
                            value += found.count
                            return value
                        }
                        if seen >= lines {
                            self.done.withLock { $0 = true }
                            return
                        }
                    }
                }
            }
            task.withLock { $0 = started }
        }
    }

    static func cpuSeconds(of pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test func viewersOfAFastJob() async throws {
        let environment = ProcessInfo.processInfo.environment
        let lines = Int(environment["SPIDERPIG_BENCH_LINES"] ?? "") ?? 10000
        let viewers = Int(environment["SPIDERPIG_BENCH_VIEWERS"] ?? "") ?? 200
        let bed = try SpiderPigBed()
        let script = bed.directory + "/fast-scap"
        try """
        #!/usr/bin/env python3
        import os, sys, json, time
        key = os.environ["SPIDERPIG_IO_KEY"]
        out = sys.stdout
        start = time.monotonic()
        for i in range(\(lines)):
            out.write(json.dumps({"iokey": key, "type": "line", "line": "line %d \\x1b[32mok\\x1b[0m of the benchmark" % i, "sensitive": False}) + "\\n")
            if i % 100 == 99:  # 10,000 lines/s: 100 lines every 10 ms
                out.flush()
                time.sleep(max(0, start + (i + 1) / 10000 - time.monotonic()))
        out.flush()
        """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        try await bed.start(hosts: 0, scap: script)
        do {
            try await measure(bed, lines: lines, viewers: viewers)
        } catch {
            await bed.stop()
            throw error
        }
        await bed.stop()
    }

    private func measure(_ bed: SpiderPigBed, lines: Int, viewers: Int) async throws {
        let environment = ProcessInfo.processInfo.environment
        try await bed.waitUntilUp(WebClient())
        let alice = try await bed.login("alice", groups: ["deployers"])
        let id = try #require(
            try await alice.send("POST", bed.base + "/api/jobs", json: ["kind": "deploy", "repository": "web"]).json["id"] as? Int)
        let cookie = alice.cookieHeader(forBase: bed.base)
        let watchers = (0..<viewers).map { _ in
            Viewer(url: "ws://127.0.0.1:\(bed.port)/ws?job=\(id)", cookie: cookie, lines: lines)
        }
        try await Task.sleep(for: .seconds(2))
        let pid = bed.server?.pid ?? 0
        let cpuBefore = Self.cpuSeconds(of: pid)
        let start = Date()
        #expect(try await alice.send("POST", bed.base + "/api/jobs/\(id)/ready", json: ["ready": true]).status == 200)
        let deadline = Date().addingTimeInterval(600)
        while Date() < deadline && !watchers.allSatisfy({ $0.done.withLock { $0 } }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        let elapsed = Date().timeIntervalSince(start)
        let cpu = Self.cpuSeconds(of: pid) - cpuBefore
        let delays = watchers.flatMap { $0.delays.withLock { $0 } }.sorted()
        func percentile(_ p: Double) -> Double { delays.isEmpty ? .nan : delays[min(delays.count - 1, Int(Double(delays.count) * p))] }
        let complete = watchers.filter { $0.done.withLock { $0 } }.count
        watchers.forEach { $0.task.withLock { $0?.cancel() } }

        let listStart = Date()
        var requests = 0
        while Date().timeIntervalSince(listStart) < 5 {
            _ = try await alice.send("GET", bed.base + "/api/jobs?limit=20")
            requests += 1
        }
        let listRate = Double(requests) / Date().timeIntervalSince(listStart)
        let report = String(
            format: "lines=%d viewers=%d complete=%d elapsed=%.2fs stored+delivered=%.0f lines/s delay p50=%.1fms p99=%.1fms max=%.1fms server_cpu=%.2fs (%.3fs per 1000 lines) job_list=%.0f req/s (one client)",
            lines, viewers, complete, elapsed, Double(lines) / elapsed, percentile(0.5) * 1000, percentile(0.99) * 1000,
            (delays.last ?? .nan) * 1000, cpu, cpu / Double(lines) * 1000, listRate)
        print("SPIDERPIG-BENCH " + report)
        if let out = environment["SPIDERPIG_BENCH_OUT"] { try report.write(toFile: out, atomically: true, encoding: .utf8) }
        #expect(complete == viewers)
    }
}
