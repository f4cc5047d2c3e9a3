import Foundation
import TestSupport
import Testing

@testable import TestBed

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("PrometheusServer", .tags(.prometheus))
struct PrometheusServerTests {
    /// The body of a GET on the server, or nil.
    private func get(_ url: String) async throws -> String {
        let (data, _) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return String(decoding: data, as: UTF8.self)
    }

    @Test("scrapes its targets: a second Prometheus is up as a target of the first")
    func scrapesTargets() async throws {
        let target = try PrometheusServer()
        defer { target.stop() }
        let prometheus = try PrometheusServer(targets: ["127.0.0.1:\(target.port)"], job: "node")
        defer { prometheus.stop() }
        #expect(prometheus.isRunning)
        #expect(prometheus.port != 9090 && prometheus.port != target.port)
        let query = "\(prometheus.endpoint)/api/v1/query?query=up%7Bjob%3D%22node%22%7D"
        var answer = ""
        // Bounded: the first scrape happens within a second or two of start.
        for _ in 0..<50 {
            answer = try await get(query)
            if answer.contains("\"value\"") { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        #expect(answer.contains("\"instance\":\"127.0.0.1:\(target.port)\""), "\(answer)")
        #expect(answer.contains("\"1\"]"), "\(answer)")
        let directory = prometheus.directory
        prometheus.stop()
        #expect(!prometheus.isRunning)
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("refuses targets off loopback and job names that would change the configuration")
    func refusesBadTargets() {
        #expect(throws: TestBedError.self) { try PrometheusServer(targets: ["10.0.0.1:9100"]) }
        #expect(throws: TestBedError.self) { try PrometheusServer(targets: ["127.0.0.1:9100']"]) }
        #expect(throws: TestBedError.self) { try PrometheusServer(job: "a'\n- x") }
    }
}
