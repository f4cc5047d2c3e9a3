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
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default signal handling.
    func stop() {
        for source in sources { source.cancel() }
        sources.removeAll()
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
