import Foundation

/// One value of a Prometheus instant query: the labels of the series (empty for a scalar), when it was evaluated,
/// and the value (`NaN` and `±Inf` included).
public struct PrometheusSample: Sendable, Hashable {
    /// The series labels, `__name__` included when the result keeps it.
    public var labels: [String: String]
    /// The evaluation time.
    public var timestamp: Date
    /// The value.
    public var value: Double

    /// Creates a sample.
    public init(labels: [String: String] = [:], timestamp: Date, value: Double) {
        self.labels = labels
        self.timestamp = timestamp
        self.value = value
    }

    /// The metric name (`__name__`), when the result has one.
    public var metricName: String? { labels["__name__"] }
}
