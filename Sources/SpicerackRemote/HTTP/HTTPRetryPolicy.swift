import Foundation
import OpsSupport

/// When an ``HTTPClient`` retries a request, as wmflib's `http_session` configures urllib3's `Retry`.
///
/// Only idempotent methods are retried, on the listed statuses and on connection failures. After a failed try
/// `n` the client waits `backoff · 2^(n-1)`, except after the first one (urllib3 retries that at once), or what the
/// server's `Retry-After` says, capped at ``maximumRetryAfter``.
public struct HTTPRetryPolicy: Sendable, Hashable {
    /// The number of tries, the first one included; 1 disables retries.
    public var tries: Int
    /// The backoff factor.
    public var backoff: Duration
    /// The statuses that are retried.
    public var statuses: Set<Int>
    /// The methods that are retried.
    public var methods: Set<HTTPMethod>
    /// The longest `Retry-After` honoured.
    public var maximumRetryAfter: Duration

    /// Creates a policy; the defaults are wmflib's: 3 tries, backoff 1 s, statuses 429, 500, 502, 503, 504, methods
    /// DELETE, GET, HEAD, OPTIONS, PUT, TRACE.
    public init(
        tries: Int = 3, backoff: Duration = .seconds(1), statuses: Set<Int> = [429, 500, 502, 503, 504],
        methods: Set<HTTPMethod> = [.delete, .get, .head, .options, .put, .trace],
        maximumRetryAfter: Duration = .seconds(60)
    ) {
        self.tries = tries
        self.backoff = backoff
        self.statuses = statuses
        self.methods = methods
        self.maximumRetryAfter = maximumRetryAfter
    }

    /// No retries.
    public static let none = HTTPRetryPolicy(tries: 1)

    /// The wait after failed try `attempt` (1-based), or what `retryAfter` asks for.
    func delay(after attempt: Int, retryAfter: String?) -> Duration {
        if let retryAfter, let seconds = Double(retryAfter.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            return min(.seconds(rounding: seconds), maximumRetryAfter)
        }
        guard attempt > 1 else { return .zero }
        var factor = 1.0
        for _ in 1..<attempt { factor *= 2 }
        return min(.seconds(rounding: backoff.inSeconds * factor), .seconds(120))
    }
}
