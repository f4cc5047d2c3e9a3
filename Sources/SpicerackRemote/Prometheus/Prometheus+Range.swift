import Foundation
import OpsSupport

/// The values of one series over a range query: its labels and `(time, value)` points in time order.
public struct PrometheusSeries: Sendable, Hashable {
    /// The series labels.
    public var labels: [String: String]
    /// The points, oldest first.
    public var points: [PrometheusSample]

    /// Creates a series.
    public init(labels: [String: String], points: [PrometheusSample]) {
        self.labels = labels
        self.points = points
    }
}

extension Prometheus {
    /// Runs a range query (`/api/v1/query_range`): the expression evaluated every `step` from `start` to `end`.
    ///
    /// ```swift
    /// let series = try await prometheus.queryRange("up", start: Date().addingTimeInterval(-600), end: Date(),
    ///                                              step: .seconds(60), site: "eqiad")
    /// for one in series { print(one.labels["instance"] ?? "?", one.points.map(\.value)) }
    /// ```
    /// - Throws: ``PrometheusError`` as ``query(_:site:instance:at:timeout:)`` does, and for `end` before `start`, a
    ///   step under a millisecond, or more than 11,000 points per series (Prometheus's own limit).
    public func queryRange(
        _ promql: String, start: Date, end: Date, step: Duration, site: String? = nil, instance: String = "ops",
        timeout: Duration = .seconds(10)
    ) async throws(PrometheusError) -> [PrometheusSeries] {
        let stepSeconds = step.inSeconds
        guard end >= start, stepSeconds >= 0.001 else {
            throw PrometheusError(
                "invalid range: end before start or a step under 1 ms", query: promql,
                hint: "pass start <= end and a positive step")
        }
        guard end.timeIntervalSince(start) / stepSeconds <= 11_000 else {
            throw PrometheusError(
                "the range has more than 11000 points per series", query: promql, hint: "use a larger step")
        }
        let parameters = [
            ("query", promql), ("start", String(format: "%.3f", start.timeIntervalSince1970)),
            ("end", String(format: "%.3f", end.timeIntervalSince1970)), ("step", Self.seconds(step)),
            ("timeout", Self.seconds(timeout)),
        ]
        let url = try apiURL("query_range", parameters, promql: promql, site: site, instance: instance)
        let (decoded, response) = try await fetch(
            url, promql: promql, timeout: timeout, badDataHint: "fix the PromQL expression or the range")
        guard case .matrix(let series)? = decoded.data?.result else {
            throw PrometheusError(
                "unexpected result type '\(decoded.data?.resultType ?? "none")' for a range query", query: promql,
                url: url.absoluteString, status: response.status)
        }
        return series.map { one in
            PrometheusSeries(
                labels: one.metric,
                points: one.values.map {
                    PrometheusSample(labels: one.metric, timestamp: Date(timeIntervalSince1970: $0.time), value: $0.value)
                })
        }
    }
}
