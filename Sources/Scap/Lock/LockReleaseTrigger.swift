import Dispatch
import Foundation
import OpsSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What ends a `scap lock` hold: Enter or the end of standard input, SIGINT or SIGTERM, or a check polled while
/// waiting (the forced-unlock request). The first cause wins.
///
/// The terminal is watched only from ``start()``, which ``LockSession`` calls once the lock is held: until then
/// Ctrl+C stops a wait for a busy lock the usual way, and nothing typed is taken for the release.
/// ```swift
/// let trigger = LockReleaseTrigger(watchingStandardInput: true, signals: [SIGINT, SIGTERM])
/// trigger.start()
/// let cause = await trigger.wait()
/// ```
public final class LockReleaseTrigger: Sendable {
    private let fired = Mutex<LockReleaseCause?>(nil)
    private let subscription = Mutex<SignalSubscription?>(nil)
    private let inputWatch = Mutex<Task<Void, Never>?>(nil)
    private let started = Mutex(false)
    private let watchesStandardInput: Bool
    private let signals: [Int32]

    /// Creates a trigger that has not fired.
    /// - Parameters:
    ///   - watchingStandardInput: whether ``start()`` reads standard input (a line, or its end, fires).
    ///   - signals: the signals that ``start()`` turns into causes instead of letting them kill the process.
    public init(watchingStandardInput: Bool = false, signals: [Int32] = []) {
        self.watchesStandardInput = watchingStandardInput
        self.signals = signals
    }

    /// Starts watching standard input and the signals given at creation; later calls do nothing.
    public func start() {
        let first = started.withLock { started in
            defer { started = true }
            return !started
        }
        guard first else { return }
        watchSignals(signals)
        if watchesStandardInput { watchStandardInput() }
    }

    /// The cause, once fired.
    public var cause: LockReleaseCause? { fired.withLock { $0 } }

    /// Fires with `cause` unless it has fired already.
    public func fire(_ cause: LockReleaseCause) {
        fired.withLock { current in
            if current == nil { current = cause }
        }
    }

    /// Reads standard input without holding a thread: a line fires ``LockReleaseCause/enter``, the end of input
    /// ``LockReleaseCause/endOfInput``. The read stops when ``wait(pollInterval:check:)`` returns.
    private func watchStandardInput() {
        let watch = Task { [self] in
            let line = await LineReader.standardInput.nextLine()
            guard !Task.isCancelled else { return }
            fire(line == nil ? .endOfInput : .enter)
        }
        inputWatch.withLock { $0 = watch }
    }

    /// Turns `signals` into causes instead of letting them kill the process, so the lock is released first.
    private func watchSignals(_ signals: [Int32]) {
        guard !signals.isEmpty else { return }
        let routed = SignalRouter.shared.route(signals) { [weak self] number in self?.fire(.signal(number)) }
        subscription.withLock { $0 = routed }
    }

    /// Waits until the trigger fires or `check` returns a cause, polling every `pollInterval` with `Task.sleep`.
    /// A cancelled task returns ``LockReleaseCause/cancelled``.
    public func wait(
        pollInterval: Duration = .milliseconds(500), check: @Sendable () -> LockReleaseCause? = { nil }
    ) async -> LockReleaseCause {
        defer { inputWatch.withLock { $0?.cancel() } }
        while true {
            if let cause { return cause }
            if let polled = check() {
                fire(polled)
                return self.cause ?? polled
            }
            if Task.isCancelled {
                fire(.cancelled)
                return self.cause ?? .cancelled
            }
            try? await Task.sleep(for: pollInterval)
        }
    }
}
