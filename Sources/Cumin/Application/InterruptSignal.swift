import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns SIGINT (Ctrl-C) and SIGTERM into cancellation of a task, so that its child processes are killed.
final class InterruptSignal: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []

    /// Cancels `task` on SIGINT or SIGTERM until ``stop()``.
    init(cancelling task: Task<ExecutionResults, any Error>) {
        for signalNumber in [SIGINT, SIGTERM] {
            previous[signalNumber] = signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            sources.append(source)
        }
    }

    private var previous: [Int32: sighandler_t?] = [:]

    /// Restores the signal handling that was in place before.
    func stop() {
        for source in sources { source.cancel() }
        sources.removeAll()
        for (signalNumber, handler) in previous { signal(signalNumber, handler ?? SIG_DFL) }
        previous.removeAll()
    }
}
