import Cumin
import Synchronization

/// Follows the stage running now and reports its ``StageProgress``: at its start, as targets finish (at most
/// every `interval`), and at its end.
///
/// The deployer calls ``begin(_:total:)`` and ``end()`` around each stage; as an `ExecutionObserver` given to the
/// ``TargetStageRunner`` it hears each target finish.
/// ```swift
/// let progress = DeployProgress { snapshot in print(snapshot.line) }
/// let runner = TargetStageRunner(configuration: cumin, observer: progress)
/// ```
public final class DeployProgress: ExecutionObserver {
    private struct State {
        var current: StageProgress?
        var lastReport: ContinuousClock.Instant?
    }
    private let state = Mutex(State())
    private let interval: Duration
    private let report: @Sendable (StageProgress) -> Void

    /// Creates a progress follower calling `report`, between stage starts and ends at most once per `interval`.
    public init(interval: Duration = .milliseconds(250), report: @escaping @Sendable (StageProgress) -> Void) {
        self.interval = interval
        self.report = report
    }

    /// A stage named `name` starts on `total` targets.
    public func begin(_ name: String, total: Int) {
        let snapshot = StageProgress(name: name, total: total)
        state.withLock { $0 = State(current: snapshot, lastReport: .now) }
        report(snapshot)
    }

    /// The stage is over; reports it finished.
    public func end() {
        let snapshot = state.withLock { state -> StageProgress? in
            guard var current = state.current else { return nil }
            current = StageProgress(
                name: current.name, total: current.totalTasks, ok: current.tasksFinishedOk,
                failed: current.tasksFinishedFailed, finished: true)
            state.current = nil
            return current
        }
        if let snapshot { report(snapshot) }
    }

    /// A target finished the stage.
    public func hostDidComplete(_ host: String, state hostState: HostState) {
        let now = ContinuousClock.now
        let due = state.withLock { state -> StageProgress? in
            guard let current = state.current else { return nil }
            let ok = current.tasksFinishedOk + (hostState == .success ? 1 : 0)
            let failed = current.tasksFinishedFailed + (hostState == .success ? 0 : 1)
            let next = StageProgress(name: current.name, total: current.totalTasks, ok: ok, failed: failed)
            state.current = next
            if let last = state.lastReport, now - last < interval, next.tasksRemaining > 0 { return nil }
            state.lastReport = now
            return next
        }
        if let due { report(due) }
    }
}
