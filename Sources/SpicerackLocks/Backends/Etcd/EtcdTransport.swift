import Foundation
import OpsSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP request of the etcd client, independent of the HTTP library that sends it.
public struct EtcdHTTPRequest: Sendable {
    /// `GET`, `PUT`, `POST`, `DELETE`.
    public var method: String
    /// The full URL, e.g. `https://etcd1001:2379/v2/keys/conftool`.
    public var url: URL
    /// Header names and values.
    public var headers: [(name: String, value: String)]
    /// The body, if any.
    public var body: Data?
    /// How long to wait for the whole answer.
    public var timeout: Duration

    /// A request.
    public init(
        method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data? = nil,
        timeout: Duration
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// The answer of one etcd endpoint, whatever its status.
public struct EtcdHTTPResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The body.
    public var body: Data

    /// An answer.
    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

/// Why a request got no answer at all (connection refused, TLS handshake refused, timeout).
public struct EtcdTransportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in words, e.g. `TLS handshake failed: certificate required`.
    public var reason: String

    /// An error with its reason.
    public init(_ reason: String) { self.reason = reason }

    /// The reason.
    public var description: String { reason }
}

/// The HTTP layer of the etcd client: the seam between plain HTTP through Foundation and HTTPS with client
/// certificates through AsyncHTTPClient (``EtcdTLSTransport``).
public protocol EtcdHTTPTransport: Sendable {
    /// Sends `request` and returns the answer, whatever its HTTP status.
    /// - Throws: ``EtcdTransportError`` when nothing answered; `CancellationError` when the task was cancelled.
    func send(_ request: EtcdHTTPRequest) async throws -> EtcdHTTPResponse

    /// Whether requests go through the proxy named by `http_proxy` & co. in the environment (libcurl does that
    /// under URLSession on Linux), so failures should name it.
    var followsEnvironmentProxy: Bool { get }
}

/// Foundation's URLSession: plain `http://` endpoints, and `https://` ones whose certificate the system trusts.
/// It cannot present a client certificate on Linux, nor trust a private CA: ``EtcdTLSTransport`` does both.
public struct URLSessionEtcdTransport: EtcdHTTPTransport {
    /// One session for every client: a URLSession per backend would never be invalidated.
    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.connectionProxyDictionary = [:]
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        return URLSession(configuration: configuration)
    }()

    /// The transport; it has no state of its own.
    public init() {}

    /// libcurl takes the proxy from the environment.
    public var followsEnvironmentProxy: Bool { true }

    /// Sends the request through the shared session.
    public func send(_ request: EtcdHTTPRequest) async throws -> EtcdHTTPResponse {
        var urlRequest = URLRequest(
            url: request.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: request.timeout.inSeconds)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = request.body
        for header in request.headers { urlRequest.setValue(header.value, forHTTPHeaderField: header.name) }
        do {
            let (data, response) = try await Self.session.data(for: urlRequest)
            return EtcdHTTPResponse(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if let error = error as? URLError {
                if error.code == .timedOut { throw EtcdTransportError("no answer within the request timeout") }
                throw EtcdTransportError(error.localizedDescription)
            }
            throw EtcdTransportError("\(error)")
        }
    }
}
