/// A Prometheus query that failed: the URL, the HTTP status when there was an answer, Prometheus's own
/// `errorType` and `error` when it gave them, and what to do.
///
/// ```
/// Prometheus query 'rate(x[5m' failed (bad_data): 1:10: parse error: unclosed left bracket
/// ```
public struct PrometheusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// The query.
    public var query: String
    /// The URL that was queried, when one was built.
    public var url: String?
    /// The HTTP status, when Prometheus answered.
    public var status: Int?
    /// Prometheus's `errorType` (`bad_data`, `timeout`, `execution`, ...), when it gave one.
    public var errorType: String?
    /// What to do about it.
    public var hint: String?

    /// Creates an error.
    public init(
        _ message: String, query: String, url: String? = nil, status: Int? = nil, errorType: String? = nil,
        hint: String? = nil
    ) {
        self.message = message
        self.query = query
        self.url = url
        self.status = status
        self.errorType = errorType
        self.hint = hint
    }

    /// `Prometheus query '<query>' failed (<errorType>): <message>`, then the URL and the hint.
    public var description: String {
        var text = "Prometheus query '\(query)' failed"
        if let errorType { text += " (\(errorType))" }
        text += ": \(message)"
        if let url { text += " [\(status.map { "HTTP \($0) from " } ?? "")\(url)]" }
        if let hint { text += " (hint: \(hint))" }
        return text
    }
}
