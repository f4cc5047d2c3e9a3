import Synchronization

/// Ctrl-C during a deploy: the first interrupt stops the stage in flight (its commands are killed, no new target
/// starts) and fails the deploy, which then offers the rollback as after any failure; rollback stages are not
/// interrupted. Targets stay on a complete revision: fetch checks out into a temporary directory renamed into
/// place, and promote switches symlinks atomically.
///
/// ```swift
/// let interruption = DeployInterruption()
/// // signal handler: if !interruption.interrupt() { exit(130) }
/// let deployment = Deployment(request: request, config: config, executor: runner, interruption: interruption)
/// ```
public final class DeployInterruption: Sendable {
    private struct State {
        var interrupted = false
        var stage: (token: UInt64, cancel: @Sendable () -> Void)?
        var nextToken: UInt64 = 0
    }
    private let state = Mutex(State())

    /// Creates an interruption that has not happened.
    public init() {}

    /// Whether the deploy was interrupted.
    public var isInterrupted: Bool { state.withLock { $0.interrupted } }

    /// Interrupts the deploy: cancels the stage in flight. Returns `false` when it was already interrupted (the
    /// caller may then exit at once).
    @discardableResult
    public func interrupt() -> Bool {
        let (first, cancel) = state.withLock { state -> (Bool, (@Sendable () -> Void)?) in
            defer { state.interrupted = true }
            return (!state.interrupted, state.stage?.cancel)
        }
        cancel?()
        return first
    }

    /// Runs `body` (one stage) so that an interrupt cancels it; starts it cancelled when already interrupted.
    func interruptible<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
        let task = Task { await body() }
        let (token, cancelNow) = state.withLock { state -> (UInt64, Bool) in
            state.nextToken += 1
            state.stage = (state.nextToken, { task.cancel() })
            return (state.nextToken, state.interrupted)
        }
        if cancelNow { task.cancel() }
        let value = await task.value
        state.withLock { state in
            if state.stage?.token == token { state.stage = nil }
        }
        return value
    }
}
