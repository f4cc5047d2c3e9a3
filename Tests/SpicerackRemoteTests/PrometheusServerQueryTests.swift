import Foundation
import SpicerackRemote
import TestBed
import TestSupport
import Testing

/// Instant and range queries against a real Prometheus (Debian's) scraping a real target: a second Prometheus.
@Suite("Prometheus on a real server", .tags(.prometheus))
struct PrometheusServerQueryTests {
    @Test("instant and range queries see the scraped target; errors carry Prometheus's errorType")
    func queries() async throws {
        let target = try PrometheusServer()
        defer { target.stop() }
        let prometheus = try PrometheusServer(targets: ["127.0.0.1:\(target.port)"], job: "node", scrapeInterval: 1)
        defer { prometheus.stop() }
        let client = Prometheus(
            client: HTTPClient(name: "test", dryRun: true), baseURL: try #require(URL(string: prometheus.endpoint)))
        let start = Date()
        // Bounded: a few scrapes, at most 15 s.
        var up: [PrometheusSample] = []
        for _ in 0..<75 {
            up = try await client.query("up{job=\"node\"}")
            if !up.isEmpty { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(up.count == 1)
        #expect(up.first?.labels["instance"] == "127.0.0.1:\(target.port)")
        #expect(up.first?.value == 1)
        try await Task.sleep(for: .seconds(3))

        let series = try await client.queryRange(
            "up{job=\"node\"}", start: start, end: Date(), step: .seconds(1))
        #expect(series.count == 1)
        let points = try #require(series.first?.points)
        #expect(points.count >= 2, "\(points)")
        #expect(points.allSatisfy { $0.value == 1 })
        #expect(zip(points, points.dropFirst()).allSatisfy { $0.timestamp < $1.timestamp })
        #expect(series.first?.labels["instance"] == "127.0.0.1:\(target.port)")

        await #expect {
            try await client.queryRange("rate(up[", start: start, end: Date(), step: .seconds(1))
        } throws: {
            ($0 as? PrometheusError)?.errorType == "bad_data"
        }
        await #expect(throws: PrometheusError.self) {
            try await client.queryRange("up", start: Date(), end: start.addingTimeInterval(-10), step: .seconds(1))
        }
    }
}
