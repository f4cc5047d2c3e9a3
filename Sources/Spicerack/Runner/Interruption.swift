import Synchronization

/// Whether Ctrl+C interrupted the current run, and the task to cancel when it does.
public final class Interruption: Sendable {
    private let state = Mutex<(interrupted: Bool, cancel: (@Sendable () -> Void)?)>((false, nil))

    /// Creates a clear state.
    public init() {}

    /// Whether the current run was interrupted.
    public var isInterrupted: Bool { state.withLock { $0.interrupted } }

    /// Whether a run is being tracked.
    public var isRunning: Bool { state.withLock { $0.cancel != nil } }

    /// Starts tracking a new run (clears the flag).
    public func begin(cancel: @escaping @Sendable () -> Void) {
        state.withLock { $0 = (false, cancel) }
    }

    /// Stops tracking the run.
    public func end() {
        state.withLock { $0.cancel = nil }
    }

    /// Marks the run interrupted and cancels its task; returns whether a run was in progress.
    @discardableResult
    public func interrupt() -> Bool {
        let cancel = state.withLock { state -> (@Sendable () -> Void)? in
            state.interrupted = true
            return state.cancel
        }
        cancel?()
        return cancel != nil
    }
}
