import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Delivers signals (SIGINT, SIGTERM, …) to a handler on a dispatch queue instead of their default action, so a
/// deploy or a lock holder can wind down cleanly first.
/// ```swift
/// let router = SignalRouter([SIGINT, SIGTERM]) { number in interruption.interrupt() }
/// defer { router.stop() }
/// ```
public final class SignalRouter: Sendable {
    private let sources = Mutex<[any DispatchSourceSignal]>([])
    private let numbers: [Int32]

    /// Routes `numbers` to `handler` (called with the signal's number) until ``stop()``.
    public init(_ numbers: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        self.numbers = numbers
        for number in numbers {
            signal(number, SIG_IGN)
            sources.withLock { sources in
                // Made inside the lock, so the (non-Sendable) source never leaves the state it is kept in.
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { handler(number) }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// Stops routing and restores the default action of the signals.
    public func stop() {
        sources.withLock { sources in
            for source in sources { source.cancel() }
            sources.removeAll()
        }
        for number in numbers { signal(number, SIG_DFL) }
    }
}
