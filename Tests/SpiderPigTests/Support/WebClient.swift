import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A small HTTP client for the tests: no redirects followed, cookies kept by hand (per host:port).
final class WebClient: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
        var location: String? { headers["location"] }
    }

    private let lock = NSLock()
    private var jar: [String: [String: String]] = [:]
    private lazy var session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.timeoutIntervalForRequest = 30
        return URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }()
    /// The CSRF token of the current SpiderPig session.
    var csrf = ""

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    func cookieHeader(for url: URL) -> String {
        let key = "\(url.host ?? ""):\(url.port ?? 80)"
        return lock.withLock { (jar[key] ?? [:]).map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
    }

    func cookie(_ name: String, for url: URL) -> String? {
        lock.withLock { jar["\(url.host ?? ""):\(url.port ?? 80)"]?[name] }
    }

    func send(
        _ method: String, _ urlString: String, json: Any? = nil, form: [String: String]? = nil, csrf sendCSRF: Bool = true
    ) async throws -> Reply {
        guard let url = URL(string: urlString) else { throw TestFailure("bad URL \(urlString)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        let cookies = cookieHeader(for: url)
        if !cookies.isEmpty { request.setValue(cookies, forHTTPHeaderField: "Cookie") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let form {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            request.httpBody = Data(
                form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
                    .joined(separator: "&").utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        } else if method == "POST" || method == "PUT" {
            request.httpBody = Data("{}".utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if sendCSRF && !csrf.isEmpty { request.setValue(csrf, forHTTPHeaderField: "X-CSRF-Token") }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestFailure("no HTTP response") }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        if let setCookie = headers["set-cookie"] {
            let first = setCookie.split(separator: ";")[0]
            let parts = first.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                let key = "\(url.host ?? ""):\(url.port ?? 80)"
                lock.withLock { jar[key, default: [:]][parts[0]] = parts[1] }
            }
        }
        return Reply(status: http.statusCode, headers: headers, body: data)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
