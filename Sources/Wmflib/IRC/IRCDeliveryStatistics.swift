import Synchronization

/// How many log records an IRC handler delivered or failed to deliver, shared by all copies of the handler.
///
/// Delivery failures never reach the code that logs (as in wmflib); they are counted here instead.
public final class IRCDeliveryStatistics: Sendable {
    private struct Counts {
        var sent = 0
        var failed = 0
        var lastError: WmflibError?
    }

    private let counts = Mutex(Counts())

    /// Creates empty statistics.
    public init() {}

    /// Records delivered.
    public var sent: Int { counts.withLock { $0.sent } }
    /// Records that could not be delivered.
    public var failed: Int { counts.withLock { $0.failed } }
    /// Why the last failed record could not be delivered.
    public var lastError: WmflibError? { counts.withLock { $0.lastError } }

    func recordSuccess() {
        counts.withLock { $0.sent += 1 }
    }

    func recordFailure(_ error: WmflibError) {
        counts.withLock {
            $0.failed += 1
            $0.lastError = error
        }
    }
}
