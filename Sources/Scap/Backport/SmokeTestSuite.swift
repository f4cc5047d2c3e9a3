import Foundation
import Yams

/// Smoke tests in Wikimedia's httpbb YAML format: each base URL maps to a list of tests, each a request and the
/// assertions on its response.
///
/// ```yaml
/// http://en.wikipedia.org:
/// - path: /wiki/Main_Page
///   assert_status: 200
///   assert_body_contains: Welcome
/// - path: /old
///   method: GET
///   request_headers: {X-Forwarded-Proto: https}
///   assert_status: 301
///   assert_location: /new
///   assert_headers: {Cache-Control: no-cache}
///   assert_headers_regex: {Content-Type: "^text/"}
///   assert_headers_absent: [Set-Cookie]
///   assert_body_regex: "v[0-9]+"
/// ```
/// The request goes to each test server; the base URL's host (and port) is sent as the `Host` header.
public struct SmokeTestSuite: Sendable, Equatable {
    /// One request and what its response must satisfy.
    public struct Test: Sendable, Equatable {
        /// The base URL (`https://en.wikipedia.org`).
        public var base: String
        /// The request path, from `/`.
        public var path: String
        /// The HTTP method (`GET`).
        public var method: String = "GET"
        /// Extra request headers.
        public var requestHeaders: [String: String] = [:]
        /// A request body sent as `application/x-www-form-urlencoded` (`form_body`).
        public var formBody: String?
        /// The expected status (200 when not given).
        public var status: Int = 200
        /// A substring the body must contain.
        public var bodyContains: String?
        /// A regular expression the body must match.
        public var bodyRegex: String?
        /// Headers that must have exactly these values.
        public var headers: [String: String] = [:]
        /// Headers whose values must match these regular expressions.
        public var headersRegex: [String: String] = [:]
        /// Headers that must be absent.
        public var headersAbsent: [String] = []
        /// The exact `Location` header.
        public var location: String?
        /// A regular expression the `Location` header must match.
        public var locationRegex: String?
        /// The line of the test in its file.
        public var line: Int

        /// `GET http://en.wikipedia.org/wiki/Main_Page`.
        public var title: String { "\(method) \(base)\(path)" }
    }

    /// The tests, in file order.
    public var tests: [Test]

    /// The keys a test may have.
    public static let allowedKeys: Set<String> = [
        "path", "method", "request_headers", "form_body", "assert_status", "assert_body_contains",
        "assert_body_regex", "assert_headers", "assert_headers_regex", "assert_headers_absent", "assert_location",
        "assert_location_regex",
    ]

    /// Reads the suite at `path`.
    /// - Throws: ``BackportError`` (`.usage`) naming the file and line of the first problem.
    public static func load(path: String) throws(BackportError) -> SmokeTestSuite {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw BackportError(.usage, "\(path): cannot be read as UTF-8 text (smoke_tests in scap.cfg)") }
        return try SmokeTestSuite(parsing: text, path: path)
    }

    /// Parses httpbb YAML.
    /// - Throws: ``BackportError`` (`.usage`) naming `path`, the line and the key of the first problem.
    public init(parsing text: String, path: String) throws(BackportError) {
        func problem(_ line: Int?, _ message: String) -> BackportError {
            BackportError(.usage, "\(path):\(line.map { "\($0):" } ?? "") \(message)")
        }
        let root: Node?
        do {
            root = try YAMLSource.compose(text)
        } catch {
            throw problem(error.line, error.message)
        }
        tests = []
        guard let root, !YAMLSource.isBlank(root) else { return }
        guard let mapping = root.mapping else {
            throw problem(root.mark?.line, "expected a mapping of base URLs to lists of tests")
        }
        for (key, value) in mapping {
            guard let base = key.string,
                let components = URLComponents(string: base),
                ["http", "https"].contains(components.scheme ?? ""), components.host?.isEmpty == false,
                components.path.isEmpty || components.path == "/"
            else {
                throw problem(
                    key.mark?.line, "'\(key.string ?? "?")' is not a base URL such as https://en.wikipedia.org")
            }
            guard let list = value.sequence else {
                throw problem(value.mark?.line, "the tests of \(base) must be a list")
            }
            for item in list {
                tests.append(try Self.test(item, base: base.hasSuffix("/") ? String(base.dropLast()) : base, problem))
            }
        }
    }

    private static func test(
        _ node: Node, base: String, _ problem: (Int?, String) -> BackportError
    ) throws(BackportError) -> Test {
        let line = node.mark?.line ?? 0
        guard let mapping = node.mapping else { throw problem(line, "a test must be a mapping with at least path") }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string, allowedKeys.contains(name) else {
                throw problem(
                    key.mark?.line,
                    "unknown key '\(key.string ?? "?")'; expected some of \(allowedKeys.sorted().joined(separator: ", "))"
                )
            }
            fields[name] = value
        }
        func string(_ key: String) throws(BackportError) -> String? {
            guard let value = fields[key] else { return nil }
            guard let text = value.scalar?.string else { throw problem(value.mark?.line, "\(key) must be a string") }
            return text
        }
        func map(_ key: String) throws(BackportError) -> [String: String] {
            guard let value = fields[key] else { return [:] }
            guard let pairs = value.mapping else { throw problem(value.mark?.line, "\(key) must be a mapping") }
            var result: [String: String] = [:]
            for (name, text) in pairs {
                guard let name = name.string, let text = text.scalar?.string else {
                    throw problem(value.mark?.line, "\(key) must map header names to strings")
                }
                result[name] = text
            }
            return result
        }
        func regex(_ key: String) throws(BackportError) -> String? {
            guard let pattern = try string(key) else { return nil }
            guard (try? NSRegularExpression(pattern: pattern)) != nil else {
                throw problem(fields[key]?.mark?.line, "\(key) '\(pattern)' is not a valid regular expression")
            }
            return pattern
        }
        guard let path = try string("path"), path.hasPrefix("/") else {
            throw problem(line, "a test needs path, starting with /")
        }
        var test = Test(base: base, path: path, line: line)
        if let method = try string("method") {
            guard !method.isEmpty, method.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
                throw problem(fields["method"]?.mark?.line, "method '\(method)' is not an HTTP method such as GET")
            }
            test.method = method
        }
        test.requestHeaders = try map("request_headers")
        test.formBody = try string("form_body")
        if let status = try string("assert_status") {
            guard let code = Int(status), (100...599).contains(code) else {
                throw problem(fields["assert_status"]?.mark?.line, "assert_status '\(status)' is not an HTTP status")
            }
            test.status = code
        }
        test.bodyContains = try string("assert_body_contains")
        test.bodyRegex = try regex("assert_body_regex")
        test.headers = try map("assert_headers")
        test.headersRegex = try map("assert_headers_regex")
        for (name, pattern) in test.headersRegex where (try? NSRegularExpression(pattern: pattern)) == nil {
            throw problem(fields["assert_headers_regex"]?.mark?.line, "assert_headers_regex of \(name) is not valid")
        }
        if let absent = fields["assert_headers_absent"] {
            guard let names = absent.sequence?.compactMap({ $0.string }), names.count == absent.sequence?.count else {
                throw problem(absent.mark?.line, "assert_headers_absent must be a list of header names")
            }
            test.headersAbsent = names
        }
        test.location = try string("assert_location")
        test.locationRegex = try regex("assert_location_regex")
        return test
    }
}
