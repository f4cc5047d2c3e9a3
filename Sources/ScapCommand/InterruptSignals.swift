import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// SIGINT and SIGTERM delivered to a handler (on a dispatch queue) instead of ending the process.
final class InterruptSignals: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []

    /// Routes SIGINT and SIGTERM to `handler`, which gets `SIGINT` or `SIGTERM` as text, until ``stop()``.
    init(handler: @escaping @Sendable (String) -> Void) {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(name) }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default handling.
    func stop() {
        for source in sources { source.cancel() }
        sources.removeAll()
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
