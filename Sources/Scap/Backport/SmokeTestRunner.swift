import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OpsSupport

/// Runs a ``SmokeTestSuite`` against test servers, concurrently, each request with its own timeout.
///
/// Each request goes to the server's address (its host name, or the `smoke_test_hosts` entry) on the base URL's
/// scheme and port, with the base URL's host as the `Host` header; redirects are not followed.
public struct SmokeTestRunner: Sendable {
    /// One assertion that did not hold.
    public struct Failure: Sendable, Equatable {
        /// The test server.
        public var host: String
        /// `GET http://en.wikipedia.org/wiki/Main_Page`.
        public var test: String
        /// What was expected and what came (`status 500, expected 200`).
        public var message: String
    }

    /// How long one request may take.
    public var timeout: Duration
    /// At most this many requests in flight.
    public var concurrency: Int
    /// Where each server is reached: `address` or `address:port` by host name; other hosts by their name.
    public var addresses: [String: String]

    /// Creates a runner.
    public init(timeout: Duration = .seconds(10), concurrency: Int = 8, addresses: [String: String] = [:]) {
        self.timeout = timeout
        self.concurrency = max(1, concurrency)
        self.addresses = addresses
    }

    /// Reads a `smoke_test_hosts` file: one `host address[:port]` per line, `#` comments.
    /// - Throws: ``BackportError`` (`.usage`) naming the file and line of a bad entry.
    public static func loadAddresses(path: String) throws(BackportError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw BackportError(.usage, "\(path): cannot be read (smoke_test_hosts in scap.cfg)") }
        var result: [String: String] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            if words.isEmpty { continue }
            guard words.count == 2, !words[1].contains("/"), !words[1].contains("@") else {
                throw BackportError(.usage, "\(path):\(number + 1): expected 'host address[:port]'")
            }
            result[words[0]] = words[1]
        }
        return result
    }

    /// Runs every test on every host.
    /// - Returns: every failed assertion, by host then test (empty when all passed).
    public func run(_ suite: SmokeTestSuite, on hosts: [String]) async -> [Failure] {
        let jobs = hosts.flatMap { host in suite.tests.enumerated().map { (host, $0.offset, $0.element) } }
        var results: [(host: String, index: Int, failures: [Failure])] = []
        await withTaskGroup(of: (String, Int, [Failure]).self) { group in
            var next = 0
            func addNext() {
                guard next < jobs.count else { return }
                let (host, index, test) = jobs[next]
                next += 1
                group.addTask { (host, index, await self.run(test, on: host)) }
            }
            for _ in 0..<min(concurrency, jobs.count) { addNext() }
            while let result = await group.next() {
                results.append(result)
                addNext()
            }
        }
        return results.sorted { ($0.host, $0.index) < ($1.host, $1.index) }.flatMap(\.failures)
    }

    /// Runs one test on one host and returns its failed assertions.
    func run(_ test: SmokeTestSuite.Test, on host: String) async -> [Failure] {
        func failure(_ message: String) -> Failure { Failure(host: host, test: test.title, message: message) }
        guard let base = URLComponents(string: test.base), let scheme = base.scheme, let baseHost = base.host else {
            return [failure("bad base URL")]
        }
        let address = addresses[host] ?? host
        let hasPort = address.split(separator: ":").count == 2 && !address.hasPrefix("[")
        let target = hasPort ? address : address + (base.port.map { ":\($0)" } ?? "")
        var request = HTTPClientRequest(url: "\(scheme)://\(target)\(test.path)")
        request.method = HTTPMethod(rawValue: test.method)
        request.headers.add(name: "Host", value: baseHost + (base.port.map { ":\($0)" } ?? ""))
        request.headers.add(name: "User-Agent", value: "scap-backport-smoke-test")
        for (name, value) in test.requestHeaders { request.headers.replaceOrAdd(name: name, value: value) }
        if let body = test.formBody {
            request.headers.replaceOrAdd(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let milliseconds =
            timeout.inMilliseconds
        let status: Int
        let headers: HTTPHeaders
        let body: String
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(milliseconds))
            status = Int(response.status.code)
            headers = response.headers
            body = String(buffer: try await response.body.collect(upTo: 8 << 20))
        } catch {
            return [failure("request failed: \(Self.describe(error))")]
        }
        var failures: [Failure] = []
        if status != test.status { failures.append(failure("status \(status), expected \(test.status)")) }
        if let text = test.bodyContains, !body.contains(text) {
            failures.append(failure("body does not contain '\(text)'"))
        }
        if let pattern = test.bodyRegex, !Self.matches(pattern, body) {
            failures.append(failure("body does not match /\(pattern)/"))
        }
        for (name, value) in test.headers.sorted(by: { $0.key < $1.key }) {
            let actual = headers[name].first
            if actual != value {
                failures.append(
                    failure("header \(name) is \(actual.map { "'\($0)'" } ?? "absent"), expected '\(value)'"))
            }
        }
        for (name, pattern) in test.headersRegex.sorted(by: { $0.key < $1.key }) {
            let actual = headers[name].first
            if !(actual.map { Self.matches(pattern, $0) } ?? false) {
                failures.append(
                    failure("header \(name) is \(actual.map { "'\($0)'" } ?? "absent"), expected /\(pattern)/"))
            }
        }
        for name in test.headersAbsent where headers.contains(name: name) {
            failures.append(failure("header \(name) is present, expected absent"))
        }
        let location = headers["Location"].first
        if let expected = test.location, location != expected {
            failures.append(failure("Location is \(location.map { "'\($0)'" } ?? "absent"), expected '\(expected)'"))
        }
        if let pattern = test.locationRegex, !(location.map { Self.matches(pattern, $0) } ?? false) {
            failures.append(failure("Location is \(location.map { "'\($0)'" } ?? "absent"), expected /\(pattern)/"))
        }
        return failures
    }

    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: error)
    }
}
