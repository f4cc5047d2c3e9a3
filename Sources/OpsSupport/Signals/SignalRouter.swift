import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one place in a process that turns signals (SIGINT, SIGTERM, …) into calls of handlers instead of their
/// default action, so that a deploy, a lock holder or a cumin run can wind down cleanly first.
///
/// Every handler registered for a signal is called, on a dispatch queue, in the order of registration. While a
/// signal has at least one handler, a C handler writes it into a self-pipe that a dispatch read source drains; when
/// its last handler is removed, the disposition it had before routing began is restored (for Ctrl-C, the default
/// action kills the process again).
/// ```swift
/// let subscription = SignalRouter.shared.route([SIGINT, SIGTERM]) { number in interruption.interrupt() }
/// defer { subscription.cancel() }
/// ```
package final class SignalRouter: Sendable {
    /// The router of this process. Use it rather than making another: two routers would fight over the signals'
    /// dispositions.
    package static let shared = SignalRouter()

    package typealias Handler = @Sendable (Int32) -> Void

    private struct Route {
        /// The disposition before routing began, put back when the last handler goes.
        var previous: sigaction
        var handlers: [(id: UInt64, handler: Handler)]
    }

    private struct State {
        var routes: [Int32: Route] = [:]
        var nextID: UInt64 = 0
        /// Reads the signal numbers that the C handler writes into the pipe.
        var reader: (any DispatchSourceRead)?
    }

    private let state = Mutex(State())

    private init() {}

    /// Calls `handler` with the signal's number each time one of `numbers` arrives, until the returned
    /// subscription is cancelled (or released).
    package func route(_ numbers: [Int32], handler: @escaping Handler) -> SignalSubscription {
        let id = state.withLock { state in
            state.nextID += 1
            let id = state.nextID
            if state.reader == nil, let reader = makeReader() { state.reader = reader }
            for number in Set(numbers) {
                if state.routes[number] != nil {
                    state.routes[number]?.handlers.append((id, handler))
                    continue
                }
                var action = sigaction()
                #if canImport(Darwin)
                    action.__sigaction_u.__sa_handler = signalRouterHandler
                #else
                    action.__sigaction_handler.sa_handler = signalRouterHandler
                #endif
                action.sa_flags = SA_RESTART
                sigemptyset(&action.sa_mask)
                var previous = sigaction()
                sigaction(number, &action, &previous)
                state.routes[number] = Route(previous: previous, handlers: [(id, handler)])
            }
            return id
        }
        return SignalSubscription(router: self, id: id)
    }

    /// The self-pipe: the C handler writes one byte per signal (async-signal-safe), a dispatch read source reads
    /// them and calls the handlers outside signal context.
    private func makeReader() -> (any DispatchSourceRead)? {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { return nil }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        signalRouterPipe = descriptors[1]
        let readEnd = descriptors[0]
        let reader = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .global())
        reader.setEventHandler { [weak self] in
            var bytes = [UInt8](repeating: 0, count: 64)
            let count = bytes.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            for byte in bytes[..<count] { self?.deliver(Int32(byte)) }
        }
        reader.resume()
        return reader
    }

    /// The signals among `numbers` as they arrive, until the consuming task stops iterating (or is cancelled).
    /// Signals that arrive faster than they are consumed are kept, up to 64.
    package func signals(_ numbers: [Int32]) -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingOldest(64))
        let subscription = route(numbers) { number in continuation.yield(number) }
        continuation.onTermination = { _ in subscription.cancel() }
        return stream
    }

    /// Whether `number` currently has a handler.
    package func isRouting(_ number: Int32) -> Bool {
        state.withLock { $0.routes[number] != nil }
    }

    private func deliver(_ number: Int32) {
        let handlers = state.withLock { state in state.routes[number]?.handlers.map(\.handler) ?? [] }
        for handler in handlers { handler(number) }
    }

    fileprivate func remove(_ id: UInt64) {
        state.withLock { state in
            for (number, route) in state.routes where route.handlers.contains(where: { $0.id == id }) {
                let remaining = route.handlers.filter { $0.id != id }
                if remaining.isEmpty {
                    var previous = route.previous
                    sigaction(number, &previous, nil)
                    state.routes[number] = nil
                } else {
                    state.routes[number]?.handlers = remaining
                }
            }
        }
    }
}

/// The write end of the router's self-pipe, set once before the first handler is installed.
nonisolated(unsafe) private var signalRouterPipe: Int32 = -1

/// The C signal handler: one byte per signal into the self-pipe (non-blocking: a full pipe drops the signal, as
/// pending signals of one kind coalesce anyway). Only async-signal-safe calls; errno is preserved.
private let signalRouterHandler: @convention(c) (Int32) -> Void = { number in
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalRouterPipe, &byte, 1)
    errno = saved
}

/// A registration with ``SignalRouter``: its handler is called until ``cancel()`` (or until the subscription is
/// released).
package final class SignalSubscription: Sendable {
    private let router: SignalRouter
    private let id: UInt64
    private let active = Atomic(true)

    fileprivate init(router: SignalRouter, id: UInt64) {
        self.router = router
        self.id = id
    }

    /// Removes the handler; the last one removed for a signal restores the signal's previous disposition.
    /// Calling it again does nothing.
    package func cancel() {
        guard active.exchange(false, ordering: .acquiringAndReleasing) else { return }
        router.remove(id)
    }

    deinit { cancel() }
}

/// Runs `operation` with `handler` routed for `numbers`, removing the handler when `operation` returns or throws.
package func withSignalHandler<Result>(
    _ numbers: [Int32], handler: @escaping SignalRouter.Handler, operation: () async throws -> Result
) async rethrows -> Result {
    let subscription = SignalRouter.shared.route(numbers, handler: handler)
    defer { subscription.cancel() }
    return try await operation()
}
