import AsyncHTTPClient
import Foundation
import NIOCore
import OpsSupport

/// The error-rate gate after the canaries and after production: MediaWiki-style error counts from Prometheus.
///
/// Two PromQL templates (errors and requests, `{hosts}` filled with the group's hosts as a regex alternation and
/// `{window}` with the wait window, e.g. `20s`) are summed over the deployed hosts and over the **baseline** (the
/// canary gate: the production hosts still on the old revision, now; the production gate: the production hosts
/// before the sync started). The result is:
/// - **fail** when the deployed hosts' error rate is above the baseline's × `error_rate_factor` and above
///   `error_rate_floor` (or, with an absolute threshold set, when their error count reaches it);
/// - **inconclusive** when they served fewer than `error_rate_min_requests` requests;
/// - **pass** otherwise; and a **check error** when Prometheus cannot answer, which is never a pass.
public struct ErrorRateGate: Sendable {
    /// How the gate ended.
    public enum Outcome: String, Sendable, Equatable {
        /// The error rate is acceptable.
        case pass
        /// The error rate is too high.
        case fail
        /// Too little traffic to tell.
        case inconclusive
        /// Prometheus could not be asked or answered nonsense.
        case checkError = "check_error"
    }

    /// The gate's outcome with its numbers.
    public struct Result: Sendable, Equatable {
        /// How it ended.
        public var outcome: Outcome
        /// A line with the numbers (`canary error rate 25.0% (5 of 20 requests) over 20s; baseline …: fail`).
        public var message: String
        /// Errors and requests on the deployed hosts.
        public var errors: Double
        /// Requests on the deployed hosts.
        public var requests: Double
        /// Errors on the baseline.
        public var baselineErrors: Double
        /// Requests on the baseline.
        public var baselineRequests: Double
    }

    /// Prometheus' base URL (`http://prometheus:9090`).
    public var prometheusURL: String
    /// The PromQL template counting errors.
    public var errorsQuery: String
    /// The PromQL template counting requests.
    public var requestsQuery: String
    /// The deployed hosts fail when their rate is above the baseline's times this.
    public var factor: Double
    /// …and above this rate (a fraction of requests).
    public var floor: Double
    /// Fewer requests than this is inconclusive.
    public var minRequests: Double
    /// An absolute error count that fails the gate instead of the comparison (`canary_threshold`,
    /// `production_error_threshold`).
    public var absoluteThreshold: Int?
    /// How long one query may take.
    public var timeout: Duration

    /// The default errors template.
    public static let defaultErrorsQuery = #"sum(increase(http_requests_total{host=~"{hosts}",code=~"5.."}[{window}]))"#
    /// The default requests template.
    public static let defaultRequestsQuery = #"sum(increase(http_requests_total{host=~"{hosts}"}[{window}]))"#

    /// Creates a gate.
    public init(
        prometheusURL: String, errorsQuery: String = ErrorRateGate.defaultErrorsQuery,
        requestsQuery: String = ErrorRateGate.defaultRequestsQuery, factor: Double = 2, floor: Double = 0.01,
        minRequests: Double = 20, absoluteThreshold: Int? = nil, timeout: Duration = .seconds(10)
    ) {
        self.prometheusURL = prometheusURL.hasSuffix("/") ? String(prometheusURL.dropLast()) : prometheusURL
        self.errorsQuery = errorsQuery
        self.requestsQuery = requestsQuery
        self.factor = factor
        self.floor = floor
        self.minRequests = minRequests
        self.absoluteThreshold = absoluteThreshold
        self.timeout = timeout
    }

    /// `{hosts}` for `hosts`: an anchored-by-PromQL alternation with regex metacharacters escaped.
    static func hostPattern(_ hosts: [String]) -> String {
        hosts.map { host in
            host.map { ".+*?()[]{}|^$\\".contains($0) ? "\\\\\($0)" : String($0) }.joined()
        }.joined(separator: "|")
    }

    /// The query of `template` for `hosts` over `window` seconds.
    func query(_ template: String, hosts: [String], window: Int) -> String {
        template.replacingOccurrences(of: "{hosts}", with: Self.hostPattern(hosts))
            .replacingOccurrences(of: "{window}", with: "\(window)s")
    }

    /// Evaluates `label` (`canary`, `production`): `hosts` now against `baseline` at `baselineTime` (`nil`: now),
    /// both over the last `window`.
    public func evaluate(
        _ label: String, hosts: [String], baseline: [String], baselineTime: Date?, window: Duration
    ) async -> Result {
        let seconds = max(1, window.wholeSeconds)
        do {
            let errors = try await value(query(errorsQuery, hosts: hosts, window: seconds), at: nil)
            let requests = try await value(query(requestsQuery, hosts: hosts, window: seconds), at: nil)
            var baselineErrors = 0.0
            var baselineRequests = 0.0
            if !baseline.isEmpty {
                baselineErrors = try await value(query(errorsQuery, hosts: baseline, window: seconds), at: baselineTime)
                baselineRequests = try await value(
                    query(requestsQuery, hosts: baseline, window: seconds), at: baselineTime)
            }
            return decide(
                label, errors: errors, requests: requests, baselineErrors: baselineErrors,
                baselineRequests: baselineRequests, window: seconds, hasBaseline: !baseline.isEmpty)
        } catch {
            return Result(
                outcome: .checkError,
                message: "\(label) error-rate check error: \(error.message); the error rate is unknown, which is not "
                    + "a pass",
                errors: 0, requests: 0, baselineErrors: 0, baselineRequests: 0)
        }
    }

    /// The outcome for measured numbers.
    func decide(
        _ label: String, errors: Double, requests: Double, baselineErrors: Double, baselineRequests: Double,
        window: Int, hasBaseline: Bool
    ) -> Result {
        func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        func count(_ value: Double) -> String { String(Int(value.rounded())) }
        let rate = requests > 0 ? errors / requests : 0
        let baselineRate = baselineRequests > 0 ? baselineErrors / baselineRequests : 0
        let measured =
            "\(label) error rate \(percent(rate)) (\(count(errors)) errors of \(count(requests)) requests over "
            + "\(window)s)"
        let base =
            hasBaseline
            ? "baseline \(percent(baselineRate)) (\(count(baselineErrors)) of \(count(baselineRequests)))"
            : "no baseline hosts"
        var result = Result(
            outcome: .pass, message: "", errors: errors, requests: requests, baselineErrors: baselineErrors,
            baselineRequests: baselineRequests)
        if let threshold = absoluteThreshold {
            result.outcome = errors >= Double(threshold) ? .fail : .pass
            result.message =
                "\(label): \(count(errors)) errors over \(window)s; threshold \(threshold): \(result.outcome.rawValue)"
            return result
        }
        if requests < minRequests {
            result.outcome = .inconclusive
            result.message =
                "\(measured); \(base): inconclusive, fewer than \(count(minRequests)) requests (error_rate_min_requests)"
            return result
        }
        if rate > baselineRate * factor && rate > floor {
            result.outcome = .fail
            result.message =
                "\(measured); \(base): fail, above \(String(format: "%g", factor))× the baseline and the "
                + "\(percent(floor)) floor"
        } else {
            result.message = "\(measured); \(base): pass"
        }
        return result
    }

    /// The single number of an instant `query` (0 for an empty result).
    /// - Throws: ``BackportError`` when Prometheus cannot be reached or answers an error.
    func value(_ query: String, at time: Date?) async throws(BackportError) -> Double {
        var components = URLComponents(string: prometheusURL + "/api/v1/query")
        components?.queryItems =
            [URLQueryItem(name: "query", value: query)]
            + (time.map { [URLQueryItem(name: "time", value: String(format: "%.3f", $0.timeIntervalSince1970))] } ?? [])
        // `+` is a space in a query string: PromQL needs it literal.
        let encoded = components?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components?.percentEncodedQuery = encoded
        guard let url = components?.string else {
            throw BackportError(.usage, "prometheus_url '\(prometheusURL)' is not a URL")
        }
        let body: ByteBuffer
        let status: UInt
        do {
            let milliseconds = timeout.inMilliseconds
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: url), timeout: .milliseconds(milliseconds))
            status = response.status.code
            body = try await response.body.collect(upTo: 4 << 20)
        } catch {
            throw BackportError(.failed, "Prometheus at \(prometheusURL) is unreachable (\(error))")
        }
        let text = String(buffer: body)
        guard status == 200,
            let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
            object["status"] as? String == "success", let data = object["data"] as? [String: Any],
            let results = data["result"] as? [[String: Any]]
        else {
            throw BackportError(
                .failed, "Prometheus at \(prometheusURL) answered HTTP \(status) to '\(query)': \(text.prefix(300))")
        }
        var total = 0.0
        for result in results {
            guard let pair = result["value"] as? [Any], pair.count == 2,
                let number = (pair[1] as? String).flatMap(Double.init)
            else { continue }
            if number.isFinite { total += number }
        }
        return total
    }
}
