import Foundation
import SpicerackRemote
import TestSupport
import Testing

/// `Prometheus` against a real HTTP server on 127.0.0.1 that answers as Prometheus's `/api/v1/query` does.
@Suite struct PrometheusTests {
    private func withPrometheus<T>(
        _ replies: [HTTPTestServer.Reply], path: String = "/api/v1/query",
        _ body: (Prometheus, HTTPTestServer) async throws -> T
    ) async throws -> T {
        let server = try HTTPTestServer(routes: [path: replies])
        defer { server.stop() }
        let client = HTTPClient(
            name: "sre.demo", dryRun: true, logger: LogRecorder().logger(), retryPolicy: .none)
        return try await body(Prometheus(client: client, baseURL: server.url("")), server)
    }

    @Test func vectorResultsBecomeLabelledSamples() async throws {
        let json = """
            {"status":"success","data":{"resultType":"vector","result":[
              {"metric":{"__name__":"up","instance":"host1:9100","job":"node"},"value":[1700000000.5,"1"]},
              {"metric":{"__name__":"up","instance":"host2:9100","job":"node"},"value":[1700000000.5,"NaN"]}]}}
            """
        try await withPrometheus([.init(body: json)]) { prometheus, server in
            let at = Date(timeIntervalSince1970: 1_700_000_000.5)
            let samples = try await prometheus.query("up{job=\"node\"} + 0 > -1", at: at, timeout: .seconds(7))
            #expect(samples.count == 2)
            #expect(samples[0].labels == ["__name__": "up", "instance": "host1:9100", "job": "node"])
            #expect(samples[0].metricName == "up")
            #expect(samples[0].value == 1)
            #expect(samples[0].timestamp == at)
            #expect(samples[1].value.isNaN)
            // The query reaches Prometheus intact ('+' included) with the time and timeout; sent in dry-run too.
            let request = try #require(server.requests.first)
            #expect(request.method == "GET")
            #expect(request.query["query"] == ["up{job=\"node\"} + 0 > -1"])
            #expect(request.query["time"] == ["1700000000.500"])
            #expect(request.query["timeout"] == ["7"])
        }
    }

    @Test func scalarResultIsOneUnlabelledSample() async throws {
        let json = #"{"status":"success","data":{"resultType":"scalar","result":[1700000001,"+Inf"]}}"#
        try await withPrometheus([.init(body: json)]) { prometheus, _ in
            let samples = try await prometheus.query("scalar(1/0)")
            #expect(samples.count == 1)
            #expect(samples[0].labels.isEmpty)
            #expect(samples[0].value == .infinity)
            #expect(samples[0].timestamp == Date(timeIntervalSince1970: 1_700_000_001))
        }
    }

    @Test func prometheusErrorsCarryErrorTypeAndMessage() async throws {
        let json = #"{"status":"error","errorType":"bad_data","error":"1:6: parse error: unclosed left bracket"}"#
        try await withPrometheus([.init(status: 400, body: json)]) { prometheus, server in
            let error = try await #require(throws: PrometheusError.self) { try await prometheus.query("rate(x[5m") }
            #expect(error.errorType == "bad_data")
            #expect(error.status == 400)
            #expect(error.message == "1:6: parse error: unclosed left bracket")
            #expect(error.description.hasPrefix("Prometheus query 'rate(x[5m' failed (bad_data): 1:6: parse error"))
            #expect(error.url?.hasPrefix(server.url("/api/v1/query").absoluteString) == true)
        }
    }

    @Test func unexpectedAnswersAreClearErrors() async throws {
        try await withPrometheus([.init(body: "<html>proxy error</html>")]) { prometheus, _ in
            let error = try await #require(throws: PrometheusError.self) { try await prometheus.query("up") }
            #expect(error.message.contains("not a Prometheus API response"))
            #expect(error.message.contains("<html>proxy error</html>"))
        }
        let matrix = #"{"status":"success","data":{"resultType":"matrix","result":[]}}"#
        try await withPrometheus([.init(body: matrix)]) { prometheus, _ in
            let error = try await #require(throws: PrometheusError.self) { try await prometheus.query("up[5m]") }
            #expect(error.message == "unsupported result type 'matrix'")
        }
        let badValue = #"{"status":"success","data":{"resultType":"scalar","result":[1,"many"]}}"#
        try await withPrometheus([.init(body: badValue)]) { prometheus, _ in
            let error = try await #require(throws: PrometheusError.self) { try await prometheus.query("x") }
            #expect(error.message.contains("the sample value 'many' is not a number"))
        }
    }

    @Test func urlTemplateTakesSiteAndInstance() async throws {
        let json = #"{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}"#
        try await withPrometheus([.init(body: json)], path: "/eqiad/k8s/api/v1/query") { _, server in
            let client = HTTPClient(name: "sre.demo", dryRun: false, logger: LogRecorder().logger())
            let prometheus = Prometheus(
                client: client, urlTemplate: "http://127.0.0.1:\(server.port)/{site}/{instance}")
            let samples = try await prometheus.query("vector(2)", site: "eqiad", instance: "k8s")
            #expect(samples.map(\.value) == [2])
            #expect(server.requests.map(\.path) == ["/eqiad/k8s/api/v1/query"])

            let noSite = try await #require(throws: PrometheusError.self) { try await prometheus.query("up") }
            #expect(noSite.message.contains("needs a site"))
            let badSite = try await #require(throws: PrometheusError.self) {
                try await prometheus.query("up", site: "eqiad/../x")
            }
            #expect(badSite.message.contains("invalid site"))
            #expect(server.requests.count == 1)
        }
    }

    @Test func unreachablePrometheusIsAPrometheusError() async throws {
        let port = try freeLoopbackPort()
        let client = HTTPClient(name: "sre.demo", dryRun: false, logger: LogRecorder().logger(), retryPolicy: .none)
        let prometheus = Prometheus(client: client, baseURL: URL(string: "http://127.0.0.1:\(port)")!)
        let error = try await #require(throws: PrometheusError.self) { try await prometheus.query("up") }
        #expect(error.message.contains("cannot connect"))
        #expect(error.status == nil)
    }
}
