import Dispatch
import OpsSupport

/// Calls a notification once if a prompt is still waiting after a delay (wmflib's `threading.Timer`).
struct AwaitingInputTimer {
    private let item: DispatchWorkItem?

    /// Schedules `notify` after `delay`, or nothing when `notify` is `nil`.
    init(after delay: Duration, notify: (@Sendable () -> Void)?) {
        guard let notify else {
            item = nil
            return
        }
        let item = DispatchWorkItem(block: notify)
        let nanoseconds = Int(clamping: max(delay.inNanoseconds, 0))
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds), execute: item)
        self.item = item
    }

    /// Stops the notification if it has not fired yet.
    func cancel() {
        item?.cancel()
    }
}
