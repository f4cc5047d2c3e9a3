import OpsSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Real signals sent to the test process itself. SIGUSR1 and SIGUSR2 only: the test process shares SIGINT with
/// other suites; the SIGINT paths are covered end to end by the cumin, scap and cookbook Ctrl-C tests.
@Suite(.serialized) struct SignalRouterTests {
    @Test func aStreamDeliversRealSignals() async throws {
        let stream = SignalRouter.shared.signals([SIGUSR1])
        var iterator = stream.makeAsyncIterator()
        kill(getpid(), SIGUSR1)
        let first = await iterator.next()
        #expect(first == SIGUSR1)
        kill(getpid(), SIGUSR1)
        let second = await iterator.next()
        #expect(second == SIGUSR1)
    }

    @Test func everyHandlerIsCalledAndRemovalIsScoped() async throws {
        let counts = Mutex([0, 0])
        let first = SignalRouter.shared.route([SIGUSR2]) { _ in counts.withLock { $0[0] += 1 } }
        let second = SignalRouter.shared.route([SIGUSR2]) { _ in counts.withLock { $0[1] += 1 } }
        kill(getpid(), SIGUSR2)
        try await waitUntil { counts.withLock { $0 == [1, 1] } }
        second.cancel()
        #expect(SignalRouter.shared.isRouting(SIGUSR2))
        kill(getpid(), SIGUSR2)
        try await waitUntil { counts.withLock { $0[0] == 2 } }
        #expect(counts.withLock { $0[1] } == 1)
        first.cancel()
        #expect(!SignalRouter.shared.isRouting(SIGUSR2))
    }

    @Test func theDefaultActionIsRestoredAndRoutingCanResume() async throws {
        for round in 1...2 {
            let calls = Mutex(0)
            await withSignalHandler([SIGUSR2], handler: { _ in calls.withLock { $0 += 1 } }) {
                kill(getpid(), SIGUSR2)
                try? await waitUntil { calls.withLock { $0 } == 1 }
            }
            #expect(calls.withLock { $0 } == 1, "round \(round)")
            var now = sigaction()
            sigaction(SIGUSR2, nil, &now)
            #if canImport(Darwin)
                let handler = unsafeBitCast(now.__sigaction_u.__sa_handler, to: Int.self)
            #else
                let handler = unsafeBitCast(now.__sigaction_handler.sa_handler, to: Int.self)
            #endif
            #expect(handler == unsafeBitCast(SIG_DFL, to: Int.self), "round \(round)")
            #expect(!SignalRouter.shared.isRouting(SIGUSR2))
        }
    }
}

/// Polls `condition` every 10 ms for up to 5 s.
func waitUntil(_ condition: () -> Bool) async throws {
    for _ in 0..<500 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("condition not met within 5 s")
}
