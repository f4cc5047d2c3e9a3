/// Where one stage on a set of targets stands: SpiderPig's `progress` record, field for field.
public struct StageProgress: Sendable, Equatable, Codable {
    /// What runs, e.g. `canary: fetch`.
    public var name: String
    /// Targets in the stage.
    public var totalTasks: Int
    /// Targets not finished yet.
    public var tasksInFlight: Int
    /// Targets that finished well (ok or no-op).
    public var tasksFinishedOk: Int
    /// Targets that failed.
    public var tasksFinishedFailed: Int
    /// Targets finished either way.
    public var tasksFinishedTotal: Int
    /// Finished targets in percent of all, rounded down.
    public var tasksPercentComplete: Int
    /// Targets left.
    public var tasksRemaining: Int
    /// Whether the stage is over.
    public var progressFinished: Bool

    /// The progress of `name` with `total` targets of which `ok` and `failed` have finished.
    public init(name: String, total: Int, ok: Int = 0, failed: Int = 0, finished: Bool = false) {
        self.name = name
        totalTasks = total
        tasksFinishedOk = ok
        tasksFinishedFailed = failed
        tasksFinishedTotal = ok + failed
        tasksRemaining = max(0, total - ok - failed)
        tasksInFlight = finished ? 0 : tasksRemaining
        tasksPercentComplete = total > 0 ? (ok + failed) * 100 / total : 100
        progressFinished = finished
    }

    /// One line for a terminal: `canary: fetch  60% (ok: 3; fail: 0; left: 2)`.
    public var line: String {
        "\(name) \(tasksPercentComplete)% (ok: \(tasksFinishedOk); fail: \(tasksFinishedFailed); left: \(tasksRemaining))"
    }
}
