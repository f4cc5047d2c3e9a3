import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A minimal client of etcd v3's JSON gateway: POSTs a body to `/v3/...` on the first endpoint that answers.
///
/// Endpoints are tried in order starting with the last one that worked; an endpoint that cannot be reached or
/// reports itself unavailable (gRPC code 14, e.g. no leader) passes the request to the next one.
struct EtcdClient: Sendable {
    /// Why a call failed.
    enum Failure: Error {
        /// No endpoint answered; one line per endpoint tried.
        case unreachable([String])
        /// `endpoint` answered with an error (gRPC `code`, etcd's `message`).
        case server(endpoint: String, path: String, code: Int?, message: String)
        /// `endpoint` answered something that is not the expected JSON.
        case invalidResponse(endpoint: String, path: String, reason: String)
        /// The calling task was cancelled.
        case cancelled
    }

    /// The gRPC status of a missing lease or key.
    static let notFoundCode = 5
    private static let unavailableCode = 14

    /// One session for every client: a URLSession per backend would never be invalidated.
    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.connectionProxyDictionary = [:]
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        return URLSession(configuration: configuration)
    }()

    let endpoints: [String]
    let requestTimeout: Duration
    /// The environment's proxy for each endpoint (libcurl's choice), to explain failures.
    private let proxies: [String: String]
    private let preferred = PreferredEndpoint()

    init(
        endpoints: [String], requestTimeout: Duration,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.endpoints = endpoints.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.requestTimeout = requestTimeout
        var proxies: [String: String] = [:]
        for endpoint in self.endpoints {
            if let url = URL(string: endpoint), let proxy = ProxyEnvironment.proxy(for: url, environment: environment) {
                proxies[endpoint] = proxy
            }
        }
        self.proxies = proxies
    }

    /// POSTs `body` as JSON to `path` (e.g. `/v3/kv/range`) and decodes the answer.
    func call<Response: Decodable>(
        _ path: String, _ body: some Encodable, as type: Response.Type = Response.self
    ) async throws(Failure) -> Response {
        let payload: Data
        do {
            payload = try JSONEncoder().encode(body)
        } catch {
            throw .invalidResponse(endpoint: "-", path: path, reason: "cannot encode the request: \(error)")
        }
        var failures: [String] = []
        let first = preferred.index
        for offset in 0..<endpoints.count {
            let index = (first + offset) % endpoints.count
            let endpoint = endpoints[index]
            guard let url = URL(string: endpoint + path), ["http", "https"].contains(url.scheme ?? "") else {
                failures.append("\(endpoint): not an http:// URL")
                continue
            }
            var request = URLRequest(
                url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: requestTimeout.seconds)
            request.httpMethod = "POST"
            request.httpBody = payload
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            let data: Data
            let status: Int
            do {
                let (answer, response) = try await Self.session.data(for: request)
                data = answer
                status = (response as? HTTPURLResponse)?.statusCode ?? 0
            } catch {
                if Task.isCancelled { throw .cancelled }
                failures.append("\(describe(endpoint)): \(Self.reason(error))")
                continue
            }
            guard status == 200 else {
                let answer = try? JSONDecoder().decode(EtcdErrorResponse.self, from: data)
                let message =
                    answer?.message ?? answer?.error
                    ?? "HTTP \(status): \(String(decoding: data.prefix(200), as: UTF8.self))"
                if answer?.code == Self.unavailableCode {
                    failures.append("\(describe(endpoint)): \(message)")
                    continue
                }
                throw .server(endpoint: describe(endpoint), path: path, code: answer?.code, message: message)
            }
            preferred.index = index
            // Streaming calls (lease keepalive) answer one JSON document per line: the first is ours.
            let document = data.split(separator: UInt8(ascii: "\n")).first.map { Data($0) } ?? data
            do {
                return try JSONDecoder().decode(type, from: document)
            } catch {
                throw .invalidResponse(
                    endpoint: endpoint, path: path,
                    reason: "\(error): \(String(decoding: document.prefix(200), as: UTF8.self))")
            }
        }
        throw .unreachable(failures)
    }

    /// The endpoint, and the proxy requests to it go through, if any.
    private func describe(_ endpoint: String) -> String {
        guard let proxy = proxies[endpoint] else { return endpoint }
        return "\(endpoint) (through the proxy \(proxy) set in the environment; add the host to no_proxy to bypass it)"
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? URLError {
            if error.code == .timedOut { return "no answer within the request timeout" }
            return error.localizedDescription
        }
        return "\(error)"
    }
}

/// The index of the endpoint that answered last, shared by copies of a client.
private final class PreferredEndpoint: Sendable {
    private let storage = Mutex(0)

    var index: Int {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
