import Foundation
import Logging
import OpsSupport

/// Runs PromQL instant queries against a Prometheus (or Thanos) HTTP API (wmflib's `Prometheus` and `Thanos`).
///
/// The server is a URL template: `{site}` and `{instance}` are replaced by the query's `site` and `instance`, and
/// `/api/v1/query` is appended.
/// ```swift
/// let prometheus = Prometheus(client: HTTPClient(name: "sre.demo", dryRun: false))
/// let up = try await prometheus.query("up{job=\"node\"} == 0", site: "eqiad")
/// for sample in up { print(sample.labels["instance"] ?? "?", sample.value) }
/// let thanos = Prometheus(client: client, baseURL: URL(string: Prometheus.thanosURL)!)
/// ```
public struct Prometheus: Sendable {
    /// WMF's per-site Prometheus: `http://prometheus.svc.{site}.wmnet/{instance}`.
    public static let wikimediaURLTemplate = "http://prometheus.svc.{site}.wmnet/{instance}"
    /// WMF's Thanos query frontend.
    public static let thanosURL = "https://thanos-query.discovery.wmnet"

    /// The HTTP client (queries are GETs, so they run in dry-run mode too).
    public let client: HTTPClient
    /// The server URL, possibly with `{site}` and `{instance}` placeholders.
    public let urlTemplate: String

    /// Creates a client for a URL template with `{site}` and `{instance}` placeholders.
    public init(client: HTTPClient, urlTemplate: String = Prometheus.wikimediaURLTemplate) {
        self.client = client
        self.urlTemplate = urlTemplate
    }

    /// Creates a client for one server, e.g. Thanos or `http://127.0.0.1:9090`.
    public init(client: HTTPClient, baseURL: URL) {
        self.init(client: client, urlTemplate: baseURL.absoluteString)
    }

    /// Runs an instant query.
    /// - Parameters:
    ///   - promql: the PromQL expression.
    ///   - site: replaces `{site}` in the URL template (e.g. `eqiad`); required when the template has it.
    ///   - instance: replaces `{instance}` in the URL template.
    ///   - time: the evaluation time; the server's now by default.
    ///   - timeout: the evaluation timeout sent to Prometheus, also the HTTP timeout.
    /// - Returns: one sample per series for a vector result, one unlabelled sample for a scalar.
    /// - Throws: ``PrometheusError`` with Prometheus's `errorType` and `error` when the query fails, or naming the
    ///   HTTP problem or the unexpected answer.
    public func query(
        _ promql: String, site: String? = nil, instance: String = "ops", at time: Date? = nil,
        timeout: Duration = .seconds(10)
    ) async throws(PrometheusError) -> [PrometheusSample] {
        let url = try queryURL(promql, site: site, instance: instance, time: time, timeout: timeout)
        let (decoded, response) = try await fetch(
            url, promql: promql, timeout: timeout, badDataHint: "fix the PromQL expression")
        switch decoded.data?.result {
        case .vector(let series):
            return series.map {
                PrometheusSample(
                    labels: $0.metric, timestamp: Date(timeIntervalSince1970: $0.value.time), value: $0.value.value)
            }
        case .scalar(let point):
            return [PrometheusSample(timestamp: Date(timeIntervalSince1970: point.time), value: point.value)]
        case .matrix, .unsupported, nil:
            throw PrometheusError(
                "unsupported result type '\(decoded.data?.resultType ?? "none")'", query: promql,
                url: url.absoluteString, status: response.status,
                hint: "write an instant query that returns a vector or a scalar (no range selector such as [5m] "
                    + "at the top level)")
        }
    }

    /// The `/api/v1/query` URL with the query parameters percent-encoded (`+` included, which a form decoder would
    /// otherwise read as a space).
    func queryURL(_ promql: String, site: String?, instance: String, time: Date?, timeout: Duration)
        throws(PrometheusError) -> URL
    {
        var parameters = [("query", promql), ("timeout", Self.seconds(timeout))]
        if let time { parameters.append(("time", String(format: "%.3f", time.timeIntervalSince1970))) }
        return try apiURL("query", parameters, promql: promql, site: site, instance: instance)
    }

    /// `<server>/api/v1/<endpoint>?<parameters>`, the server from the template with `site` and `instance`.
    func apiURL(
        _ endpoint: String, _ parameters: [(String, String)], promql: String, site: String?, instance: String
    ) throws(PrometheusError) -> URL {
        var base = urlTemplate
        if base.contains("{site}") {
            guard let site, Self.isPlainName(site) else {
                throw PrometheusError(
                    site == nil
                        ? "the URL template \(urlTemplate) needs a site"
                        : "invalid site '\(site ?? "")': only letters, digits, '-' and '_' are allowed",
                    query: promql, hint: "pass site:, e.g. site: \"eqiad\"")
            }
            base = base.replacingOccurrences(of: "{site}", with: site)
        }
        if base.contains("{instance}") {
            guard Self.isPlainName(instance) else {
                throw PrometheusError(
                    "invalid instance '\(instance)': only letters, digits, '-' and '_' are allowed", query: promql,
                    hint: "pass instance:, e.g. instance: \"ops\"")
            }
            base = base.replacingOccurrences(of: "{instance}", with: instance)
        }
        while base.hasSuffix("/") { base.removeLast() }
        let query = parameters.map { "\($0)=\(Self.percentEncoded($1))" }.joined(separator: "&")
        guard let url = URL(string: base + "/api/v1/\(endpoint)?" + query), url.host != nil else {
            throw PrometheusError(
                "the URL template \(urlTemplate) does not give a valid URL", query: promql,
                hint: "use an absolute URL such as http://prometheus.example.org/ops")
        }
        return url
    }

    /// ASCII letters and digits.
    private static let asciiAlphanumerics = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    /// Whether `text` is a non-empty name of ASCII letters, digits, `-` and `_` (safe in a URL path).
    private static func isPlainName(_ text: String) -> Bool {
        let allowed = asciiAlphanumerics.union(CharacterSet(charactersIn: "-_"))
        return !text.isEmpty && text.unicodeScalars.allSatisfy { allowed.contains($0) }
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters.
    private static func percentEncoded(_ text: String) -> String {
        let unreserved = asciiAlphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// Seconds as Prometheus's duration parser accepts a bare number: `10`, `0.5`.
    static func seconds(_ duration: Duration) -> String {
        let value = duration.inSeconds
        return value == value.rounded() ? String(Int(value)) : String(format: "%.3f", value)
    }

    /// GETs a query API URL and decodes Prometheus's answer: the response when its status is `success`, else a
    /// ``PrometheusError`` naming the query and URL (`badDataHint` is the hint for a `bad_data` error).
    func fetch(_ url: URL, promql: String, timeout: Duration, badDataHint: String) async throws(PrometheusError)
        -> (PrometheusResponse, HTTPResponse)
    {
        let response: HTTPResponse
        do {
            response = try await client.get(
                url, headers: ["Accept": "application/json"], timeout: timeout + .seconds(1))
        } catch {
            throw PrometheusError(error.message, query: promql, url: url.absoluteString, hint: error.hint)
        }
        let decoded: PrometheusResponse
        do {
            decoded = try JSONDecoder().decode(PrometheusResponse.self, from: response.body)
        } catch {
            throw PrometheusError(
                "the answer is not a Prometheus API response: \(Self.describe(error)); body: "
                    + HTTPError.excerpt(of: response.body),
                query: promql, url: url.absoluteString, status: response.status,
                hint: "check that the URL points at a Prometheus query API")
        }
        guard decoded.status == "success", response.isSuccess else {
            throw PrometheusError(
                decoded.error ?? "status '\(decoded.status)' with HTTP \(response.status)", query: promql,
                url: url.absoluteString, status: response.status, errorType: decoded.errorType,
                hint: decoded.errorType == "bad_data" ? badDataHint : nil)
        }
        return (decoded, response)
    }

    static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context),
            .valueNotFound(_, let context):
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
