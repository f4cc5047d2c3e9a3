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
/// signal has at least one handler a dispatch signal source delivers it; when its last handler is removed, the
/// disposition it had before routing began is restored (the default action, for Ctrl-C, kills the process again).
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
        /// Kept for the life of the process once made: the dispatch library installs its signal handler only when
        /// the first source of a signal is made, so a source made again later would never fire.
        var source: any DispatchSourceSignal
        /// The disposition that feeds `source` (the dispatch library's handler), put back when routing resumes.
        var routing: sigaction
        /// The disposition before routing began, put back when the last handler goes.
        var previous: sigaction
        var handlers: [(id: UInt64, handler: Handler)]
    }

    private struct State {
        var routes: [Int32: Route] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    private init() {}

    /// Calls `handler` with the signal's number each time one of `numbers` arrives, until the returned
    /// subscription is cancelled (or released).
    package func route(_ numbers: [Int32], handler: @escaping Handler) -> SignalSubscription {
        let id = state.withLock { state in
            state.nextID += 1
            let id = state.nextID
            for number in Set(numbers) {
                if var route = state.routes[number] {
                    if route.handlers.isEmpty {
                        sigaction(number, &route.routing, &route.previous)
                    }
                    route.handlers.append((id, handler))
                    state.routes[number] = route
                    continue
                }
                var previous = sigaction()
                var ignore = sigaction()
                #if canImport(Darwin)
                    ignore.__sigaction_u.__sa_handler = SIG_IGN
                #else
                    ignore.__sigaction_handler.sa_handler = SIG_IGN
                #endif
                sigemptyset(&ignore.sa_mask)
                sigaction(number, &ignore, &previous)
                // Made inside the lock, so the (non-Sendable) source never leaves the state it is kept in.
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [weak self] in self?.deliver(number) }
                source.resume()
                var routing = sigaction()
                sigaction(number, nil, &routing)
                state.routes[number] = Route(
                    source: source, routing: routing, previous: previous, handlers: [(id, handler)])
            }
            return id
        }
        return SignalSubscription(router: self, id: id)
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
        state.withLock { !($0.routes[number]?.handlers.isEmpty ?? true) }
    }

    private func deliver(_ number: Int32) {
        let handlers = state.withLock { state in state.routes[number]?.handlers.map(\.handler) ?? [] }
        for handler in handlers { handler(number) }
    }

    fileprivate func remove(_ id: UInt64) {
        state.withLock { state in
            for (number, route) in state.routes where route.handlers.contains(where: { $0.id == id }) {
                var route = route
                route.handlers.removeAll { $0.id == id }
                if route.handlers.isEmpty {
                    sigaction(number, &route.previous, nil)
                }
                state.routes[number] = route
            }
        }
    }
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
