import Foundation
import SpicerackRemote
import TestSupport
import Testing

/// `HTTPClient` against a real HTTP server on 127.0.0.1 started by each test.
@Suite struct HTTPClientTests {
    private func withServer<T>(
        _ routes: [String: [HTTPTestServer.Reply]], _ body: (HTTPTestServer) async throws -> T
    ) async throws -> T {
        let server = try HTTPTestServer(routes: routes)
        defer { server.stop() }
        return try await body(server)
    }

    @Test func getReturnsStatusHeadersAndBody() async throws {
        try await withServer(["/health": [.init(body: "ok", headers: ["X-Service": "demo"])]]) { server in
            let client = HTTPClient(name: "sre.demo", dryRun: false, logger: LogRecorder().logger())
            let response = try await client.get(server.url("/health?verbose=1"), headers: ["X-Trace": "abc"])
            #expect(response.status == 200)
            #expect(response.text == "ok")
            #expect(response.header("x-service") == "demo")
            let request = try #require(server.requests.first)
            #expect(request.method == "GET")
            #expect(request.query == ["verbose": ["1"]])
            #expect(request.headers["User-Agent"] == "spicerack-swift/\(HTTPClient.frameworkVersion) sre.demo")
            #expect(request.headers["X-Trace"] == "abc")

            let missing = try await client.get(server.url("/nothing"))
            #expect(missing.status == 404)
            let error = try #require(throws: HTTPError.self) { try missing.checked() }
            #expect(error.status == 404)
            #expect(error.body == "not found")
            #expect(
                error.description.hasPrefix("GET http://127.0.0.1:\(server.port)/nothing: the server answered HTTP 404")
            )
        }
    }

    @Test func dryRunDoesNotSendWritesButSendsReads() async throws {
        try await withServer(["/pool": [.init(status: 201, body: "created")]]) { server in
            let recorder = LogRecorder()
            let client = HTTPClient(name: "sre.demo", dryRun: true, logger: recorder.logger())
            let url = server.url("/pool")
            let response = try await client.post(url, body: Data("{}".utf8))
            #expect(response.status == 200)
            #expect(response.body.isEmpty)
            try await client.put(url)
            try await client.delete(url)
            #expect(server.requests.isEmpty)
            #expect(
                recorder.messages(at: .info) == [
                    "Would have called POST \(url.absoluteString)", "Would have called PUT \(url.absoluteString)",
                    "Would have called DELETE \(url.absoluteString)",
                ])
            let read = try await client.get(url)
            #expect(read.status == 201)
            #expect(server.requests.map(\.method) == ["GET"])
        }
    }

    @Test func writesAreSentOutsideDryRun() async throws {
        try await withServer(["/pool": [.init(status: 201, body: "created")]]) { server in
            let client = HTTPClient(name: "sre.demo", dryRun: false, logger: LogRecorder().logger())
            let response = try await client.post(
                server.url("/pool"), headers: ["Content-Type": "application/json"], body: Data("{\"a\":1}".utf8))
            #expect(response.status == 201)
            #expect(server.requests.map(\.method) == ["POST"])
            #expect(server.requests.first?.body == "{\"a\":1}")
        }
    }

    @Test func idempotentRequestsAreRetriedOnServerErrors() async throws {
        let routes: [String: [HTTPTestServer.Reply]] = [
            "/flaky": [.init(status: 503, body: "busy"), .init(status: 502), .init(body: "finally")],
            "/down": [.init(status: 503, body: "busy")],
        ]
        try await withServer(routes) { server in
            let recorder = LogRecorder()
            let client = HTTPClient(
                name: "sre.demo", dryRun: false, logger: recorder.logger(),
                retryPolicy: HTTPRetryPolicy(backoff: .milliseconds(20)))
            let response = try await client.get(server.url("/flaky"))
            #expect(response.status == 200)
            #expect(response.text == "finally")
            #expect(server.requests.count == 3)
            #expect(
                recorder.messages(at: .warning) == [
                    "[1/3, retrying in 0.00s] GET \(server.url("/flaky").absoluteString) failed: HTTP 503",
                    "[2/3, retrying in 0.04s] GET \(server.url("/flaky").absoluteString) failed: HTTP 502",
                ])

            // A POST is not idempotent: one try, and the 503 is returned.
            let post = try await client.post(server.url("/down"))
            #expect(post.status == 503)
            #expect(server.requests.filter { $0.path == "/down" }.count == 1)

            // After the last try the last answer is returned.
            let exhausted = try await client.get(server.url("/down"))
            #expect(exhausted.status == 503)
            #expect(server.requests.filter { $0.path == "/down" }.count == 4)
        }
    }

    @Test func retryAfterIsHonoured() async throws {
        try await withServer(["/limited": [.init(status: 429, headers: ["Retry-After": "0.3"]), .init(body: "ok")]]) {
            server in
            let client = HTTPClient(name: "sre.demo", dryRun: false, logger: LogRecorder().logger())
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await client.get(server.url("/limited"))
            #expect(response.status == 200)
            #expect(clock.now - start >= .milliseconds(300))
        }
    }

    @Test func unreachableServerIsAnHTTPErrorWithoutStatus() async throws {
        let port = try freeLoopbackPort()
        let client = HTTPClient(
            name: "sre.demo", dryRun: false, logger: LogRecorder().logger(),
            retryPolicy: HTTPRetryPolicy(tries: 2, backoff: .milliseconds(10)))
        let url = URL(string: "http://127.0.0.1:\(port)/x")!
        let error = try await #require(throws: HTTPError.self) { try await client.get(url) }
        #expect(error.status == nil)
        #expect(error.url == url)
        #expect(error.message.contains("cannot connect to the server"))
        #expect(error.hint != nil)
    }

    @Test func slowServerTimesOut() async throws {
        try await withServer(["/slow": [.init(body: "late", delay: 5)]]) { server in
            let client = HTTPClient(
                name: "sre.demo", dryRun: false, logger: LogRecorder().logger(), timeout: .milliseconds(500),
                retryPolicy: .none)
            let clock = ContinuousClock()
            let start = clock.now
            let error = try await #require(throws: HTTPError.self) { try await client.get(server.url("/slow")) }
            #expect(clock.now - start < .seconds(3))
            #expect(error.message.contains("no answer within 0.5s"))
        }
    }

    @Test func invalidURLIsRejectedWithoutARequest() async throws {
        let client = HTTPClient(name: "sre.demo", dryRun: false, logger: LogRecorder().logger())
        let error = try await #require(throws: HTTPError.self) {
            try await client.get(URL(fileURLWithPath: "/etc/passwd"))
        }
        #expect(error.message.contains("not an http(s) URL"))
    }
}
