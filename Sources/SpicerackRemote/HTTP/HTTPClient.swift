import Foundation
import Logging
import OpsSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An HTTP client for cookbooks over `URLSession`, with wmflib's `http_session` defaults (user agent, timeout,
/// retries) and Spicerack's dry-run rule: in dry-run mode only `GET`, `HEAD` and `OPTIONS` are sent.
///
/// ```swift
/// let client = HTTPClient(name: "sre.hosts.reboot", dryRun: spicerack.dryRun, logger: logger)
/// let health = try await client.get(URL(string: "http://127.0.0.1:8080/health")!).checked()
/// try await client.post(URL(string: "http://127.0.0.1:8080/pool")!, body: Data("{}".utf8))  // logged only in dry-run
/// ```
/// Every status is returned as a response; call ``HTTPResponse/checked(method:)`` to turn non-2xx into an error.
public struct HTTPClient: Sendable {
    /// The framework version in the default user agent.
    public static let frameworkVersion = "14.0.0-swift.1"

    /// The name of the client (usually the cookbook's), part of the user agent.
    public let name: String
    /// Whether methods other than GET, HEAD and OPTIONS are only logged.
    public let dryRun: Bool
    /// Where requests, retries and skipped requests are logged.
    public let logger: Logger
    /// The time allowed for each try of a request.
    public let timeout: Duration
    /// The `User-Agent` header.
    public let userAgent: String
    /// When requests are retried.
    public let retryPolicy: HTTPRetryPolicy
    private let session: SessionOwner

    /// Creates a client.
    /// - Parameters:
    ///   - name: the client's name, e.g. the cookbook's.
    ///   - dryRun: send only read-only methods; the others are logged and answered with an empty 200.
    ///   - logger: where requests are logged (debug), retries (warning) and skipped requests (info).
    ///   - timeout: the time allowed for each try.
    ///   - userAgent: the `User-Agent`; `spicerack-swift/<version> <name>` by default.
    ///   - retryPolicy: when to retry; wmflib's defaults (3 tries on 429/5xx for idempotent methods).
    public init(
        name: String, dryRun: Bool, logger: Logger = Logger(label: "spicerack.http"), timeout: Duration = .seconds(5),
        userAgent: String? = nil, retryPolicy: HTTPRetryPolicy = HTTPRetryPolicy()
    ) {
        self.name = name
        self.dryRun = dryRun
        self.logger = logger
        self.timeout = timeout
        self.userAgent = userAgent ?? "spicerack-swift/\(Self.frameworkVersion) \(name)"
        self.retryPolicy = retryPolicy
        self.session = SessionOwner()
    }

    /// Sends a request, retrying as ``retryPolicy`` says; in dry-run mode a method other than GET, HEAD and
    /// OPTIONS is not sent but logged as `Would have called POST <url>`, and a 200 with an empty body is returned.
    /// - Parameters:
    ///   - method: the method.
    ///   - url: an `http` or `https` URL.
    ///   - headers: extra headers; `User-Agent` replaces the client's.
    ///   - body: the request body.
    ///   - timeout: the time allowed for each try, instead of the client's.
    /// - Returns: the response, whatever its status (after the last try for a retried status).
    /// - Throws: ``HTTPError`` when no response arrives (bad URL, connection refused, timeout) or the task is
    ///   cancelled.
    public func request(
        method: HTTPMethod, url: URL, headers: [String: String] = [:], body: Data? = nil, timeout: Duration? = nil
    ) async throws(HTTPError) -> HTTPResponse {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw HTTPError(
                method: method, url: url, message: "not an http(s) URL with a host",
                hint: "use an absolute URL such as http://host:port/path")
        }
        if dryRun && !method.isReadOnly {
            logger.info("Would have called \(method) \(url.absoluteString)")
            return HTTPResponse(url: url, status: 200)
        }
        var request = URLRequest(url: url)
        request.httpMethod = method.rawValue
        request.timeoutInterval = (timeout ?? self.timeout).inSeconds
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body

        let tries = max(1, retryPolicy.tries)
        let retryable = retryPolicy.methods.contains(method)
        var attempt = 1
        while true {
            let start = ContinuousClock.now
            let outcome: Result<HTTPResponse, HTTPError>
            do {
                let (data, response) = try await session.session.data(for: request)
                outcome = .success(Self.response(data, response, url: url))
            } catch {
                outcome = .failure(Self.failure(error, method: method, url: url, timeout: request.timeoutInterval))
            }
            let elapsed = ContinuousClock.now - start
            let problem: String
            var retryAfter: String?
            switch outcome {
            case .success(let response):
                logger.debug(
                    "\(method) \(url.absoluteString) -> HTTP \(response.status) in \(Int(elapsed.inSeconds * 1000)) ms")
                guard retryable, attempt < tries, retryPolicy.statuses.contains(response.status) else {
                    return response
                }
                problem = "HTTP \(response.status)"
                retryAfter = response.header("Retry-After")
            case .failure(let error):
                guard retryable, attempt < tries, error.status == nil, !Task.isCancelled else { throw error }
                problem = error.message
            }
            let wait = retryPolicy.delay(after: attempt, retryAfter: retryAfter)
            let seconds = String(format: "%.2f", wait.inSeconds)
            logger.warning(
                "[\(attempt)/\(tries), retrying in \(seconds)s] \(method) \(url.absoluteString) failed: \(problem)")
            do {
                try await Task.sleep(for: wait)
            } catch {
                throw HTTPError(method: method, url: url, message: "cancelled while waiting to retry")
            }
            attempt += 1
        }
    }

    /// Sends a `GET`.
    public func get(_ url: URL, headers: [String: String] = [:], timeout: Duration? = nil) async throws(HTTPError)
        -> HTTPResponse
    {
        try await request(method: .get, url: url, headers: headers, timeout: timeout)
    }

    /// Sends a `POST` (not sent in dry-run mode).
    @discardableResult
    public func post(_ url: URL, headers: [String: String] = [:], body: Data? = nil, timeout: Duration? = nil)
        async throws(HTTPError) -> HTTPResponse
    {
        try await request(method: .post, url: url, headers: headers, body: body, timeout: timeout)
    }

    /// Sends a `PUT` (not sent in dry-run mode).
    @discardableResult
    public func put(_ url: URL, headers: [String: String] = [:], body: Data? = nil, timeout: Duration? = nil)
        async throws(HTTPError) -> HTTPResponse
    {
        try await request(method: .put, url: url, headers: headers, body: body, timeout: timeout)
    }

    /// Sends a `DELETE` (not sent in dry-run mode).
    @discardableResult
    public func delete(_ url: URL, headers: [String: String] = [:], timeout: Duration? = nil) async throws(HTTPError)
        -> HTTPResponse
    {
        try await request(method: .delete, url: url, headers: headers, timeout: timeout)
    }

    private static func response(_ data: Data, _ response: URLResponse, url: URL) -> HTTPResponse {
        guard let http = response as? HTTPURLResponse else {
            return HTTPResponse(url: response.url ?? url, status: 0, body: data)
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            headers[String(describing: name)] = String(describing: value)
        }
        return HTTPResponse(url: http.url ?? url, status: http.statusCode, headers: headers, body: data)
    }

    private static func failure(_ error: any Error, method: HTTPMethod, url: URL, timeout: TimeInterval) -> HTTPError {
        guard let urlError = error as? URLError else {
            return HTTPError(method: method, url: url, message: "the request failed: \(error)")
        }
        switch urlError.code {
        case .timedOut:
            return HTTPError(
                method: method, url: url, message: "no answer within \(String(format: "%g", timeout))s",
                hint: "check that the service is healthy, or raise the timeout")
        case .cannotConnectToHost, .networkConnectionLost, .notConnectedToInternet:
            return HTTPError(
                method: method, url: url, message: "cannot connect to the server (\(urlError.localizedDescription))",
                hint: "check that the service runs and listens at this address and port")
        case .cannotFindHost, .dnsLookupFailed:
            return HTTPError(
                method: method, url: url, message: "the host name does not resolve",
                hint: "check the host name in the URL")
        case .cancelled:
            return HTTPError(method: method, url: url, message: "the request was cancelled")
        default:
            return HTTPError(
                method: method, url: url, message: "the request failed: \(urlError.localizedDescription)",
                hint: "check the URL and the service")
        }
    }
}

/// Owns the client's `URLSession` and invalidates it when the last copy of the client goes away.
private final class SessionOwner: Sendable {
    let session: URLSession

    init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }
}
