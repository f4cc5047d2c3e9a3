import Wmflib

/// How long ``Locks`` keeps trying to acquire a busy lock.
///
/// Spicerack's default is 27 tries with a linear backoff of 5 s (5, 10, ..., 130 s: about 29 minutes in all).
/// A dry run always makes a single try.
public struct LockRetryPolicy: Sendable, Equatable {
    /// How many attempts at most; at least 1.
    public var tries: Int
    /// The base delay between attempts.
    public var delay: Duration
    /// How the delay grows after each failed attempt.
    public var backoff: BackoffMode

    /// Creates a policy; `tries` below 1 count as 1.
    public init(tries: Int, delay: Duration, backoff: BackoffMode = .linear) {
        self.tries = max(tries, 1)
        self.delay = delay
        self.backoff = backoff
    }

    /// Spicerack's policy: 27 tries, linear backoff of 5 s.
    public static let spicerack = LockRetryPolicy(tries: 27, delay: .seconds(5), backoff: .linear)

    /// A single attempt: fail at once when the lock is busy.
    public static let once = LockRetryPolicy(tries: 1, delay: .zero, backoff: .constant)

    /// The policy to apply: a single try in dry-run mode, this one otherwise.
    public func effective(dryRun: Bool) -> LockRetryPolicy {
        dryRun ? LockRetryPolicy(tries: 1, delay: delay, backoff: backoff) : self
    }

    /// The wait after failed attempt `attempt` (1-based).
    public func delay(afterAttempt attempt: Int) -> Duration {
        backoff.delay(base: delay, attempt: attempt)
    }
}
