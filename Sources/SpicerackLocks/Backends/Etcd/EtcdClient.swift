import Foundation
import OpsSupport
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A minimal HTTP client of etcd: the v3 JSON gateway (`/v3/...`, used by the locks) and the v2 keys API
/// (`/v2/keys/...`, used by conftool's data), on the first endpoint that answers.
///
/// Endpoints are tried in order starting with the last one that worked; an endpoint that cannot be reached or
/// reports itself unavailable (gRPC code 14, e.g. no leader) passes the request to the next one. With
/// ``credentials`` every request carries HTTP Basic authentication (etcd's v2 auth). The HTTP layer is a
/// ``EtcdHTTPTransport``: Foundation's, or ``EtcdTLSTransport`` for a private CA and client certificates.
package struct EtcdClient: Sendable {
    /// Why a call failed.
    package enum Failure: Error {
        /// No endpoint answered; one line per endpoint tried.
        case unreachable([String])
        /// `endpoint` answered with an error (gRPC `code`, etcd's `message`).
        case server(endpoint: String, path: String, code: Int?, message: String)
        /// `endpoint` answered something that is not the expected JSON.
        case invalidResponse(endpoint: String, path: String, reason: String)
        /// The calling task was cancelled.
        case cancelled
    }

    /// An answer of one endpoint, whatever its status.
    package struct Answer: Sendable {
        /// The endpoint that answered (with its proxy, if any).
        package var endpoint: String
        /// The HTTP status.
        package var status: Int
        /// The body.
        package var body: Data
    }

    /// The gRPC status of a missing lease or key.
    static let notFoundCode = 5
    private static let unavailableCode = 14

    package let endpoints: [String]
    package let requestTimeout: Duration
    /// The user and password sent as HTTP Basic authentication, if any.
    package let credentials: (user: String, password: String)?
    /// The HTTP layer: Foundation's by default, ``EtcdTLSTransport`` for a private CA or client certificates.
    package let transport: any EtcdHTTPTransport
    /// The environment's proxy for each endpoint (libcurl's choice), to explain failures.
    private let proxies: [String: String]
    private let preferred = PreferredEndpoint()

    package init(
        endpoints: [String], requestTimeout: Duration, credentials: (user: String, password: String)? = nil,
        transport: any EtcdHTTPTransport = URLSessionEtcdTransport(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.endpoints = endpoints.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.requestTimeout = requestTimeout
        self.credentials = credentials
        self.transport = transport
        var proxies: [String: String] = [:]
        for endpoint in self.endpoints where transport.followsEnvironmentProxy {
            if let url = URL(string: endpoint), let proxy = ProxyEnvironment.proxy(for: url, environment: environment) {
                proxies[endpoint] = proxy
            }
        }
        self.proxies = proxies
    }

    /// POSTs `body` as JSON to `path` (e.g. `/v3/kv/range`) and decodes the answer.
    package func call<Response: Decodable>(
        _ path: String, _ body: some Encodable, as type: Response.Type = Response.self
    ) async throws(Failure) -> Response {
        let payload: Data
        do {
            payload = try JSONEncoder().encode(body)
        } catch {
            throw .invalidResponse(endpoint: "-", path: path, reason: "cannot encode the request: \(error)")
        }
        let answer = try await send(
            "POST", path, body: payload, contentType: "application/json", passOn: { status, data in
                status != 200
                    && (try? JSONDecoder().decode(EtcdErrorResponse.self, from: data))?.code == Self.unavailableCode
            })
        guard answer.status == 200 else {
            let error = try? JSONDecoder().decode(EtcdErrorResponse.self, from: answer.body)
            let message =
                error?.message ?? error?.error
                ?? "HTTP \(answer.status): \(String(decoding: answer.body.prefix(200), as: UTF8.self))"
            throw .server(endpoint: answer.endpoint, path: path, code: error?.code, message: message)
        }
        // Streaming calls (lease keepalive) answer one JSON document per line: the first is ours.
        let document = answer.body.split(separator: UInt8(ascii: "\n")).first.map { Data($0) } ?? answer.body
        do {
            return try JSONDecoder().decode(type, from: document)
        } catch {
            throw .invalidResponse(
                endpoint: answer.endpoint, path: path,
                reason: "\(error): \(String(decoding: document.prefix(200), as: UTF8.self))")
        }
    }

    /// Sends one request to the first endpoint that answers and returns its answer, whatever the status.
    /// - Parameters:
    ///   - method: `GET`, `PUT`, `POST`, `DELETE`.
    ///   - path: the path and query, e.g. `/v2/keys/conftool?recursive=true`.
    ///   - body: the request body, if any.
    ///   - contentType: its content type.
    ///   - passOn: whether an answer means the endpoint is unavailable, so the next one should be tried.
    package func send(
        _ method: String, _ path: String, body: Data? = nil, contentType: String? = nil,
        passOn: (Int, Data) -> Bool = { _, _ in false }
    ) async throws(Failure) -> Answer {
        var failures: [String] = []
        let first = preferred.index
        for offset in 0..<endpoints.count {
            let index = (first + offset) % endpoints.count
            let endpoint = endpoints[index]
            guard let url = URL(string: endpoint + path), ["http", "https"].contains(url.scheme ?? "") else {
                failures.append("\(endpoint): not an http:// URL")
                continue
            }
            var headers: [(name: String, value: String)] = []
            if let contentType { headers.append((name: "Content-Type", value: contentType)) }
            if let credentials {
                let token = Data("\(credentials.user):\(credentials.password)".utf8).base64EncodedString()
                headers.append((name: "Authorization", value: "Basic \(token)"))
            }
            let request = EtcdHTTPRequest(
                method: method, url: url, headers: headers, body: body, timeout: requestTimeout)
            let data: Data
            let status: Int
            do {
                let answer = try await transport.send(request)
                data = answer.body
                status = answer.status
            } catch let error as EtcdTransportError {
                if Task.isCancelled { throw .cancelled }
                failures.append("\(describe(endpoint)): \(error.reason)")
                continue
            } catch {
                if Task.isCancelled || error is CancellationError { throw .cancelled }
                failures.append("\(describe(endpoint)): \(error)")
                continue
            }
            if passOn(status, data) {
                failures.append("\(describe(endpoint)): HTTP \(status) \(String(decoding: data.prefix(200), as: UTF8.self))")
                continue
            }
            preferred.index = index
            return Answer(endpoint: describe(endpoint), status: status, body: data)
        }
        throw .unreachable(failures)
    }

    /// The endpoint, and the proxy requests to it go through, if any.
    private func describe(_ endpoint: String) -> String {
        guard let proxy = proxies[endpoint] else { return endpoint }
        return "\(endpoint) (through the proxy \(proxy) set in the environment; add the host to no_proxy to bypass it)"
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
