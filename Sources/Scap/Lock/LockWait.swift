/// The bounded wait for a busy lock: its deadline, its polling, and a reminder every `reminderInterval` (scap
/// prints a dot every 30 s) so an operator knows the deploy is still waiting and for how long.
struct LockWait {
    let timeout: Duration
    let started: ContinuousClock.Instant
    let reminderInterval: Duration
    private var nextReminder: ContinuousClock.Instant

    init(timeout: Duration, reminderInterval: Duration = DeployLock.defaultReminderInterval) {
        self.timeout = timeout
        self.started = .now
        self.reminderInterval = reminderInterval
        self.nextReminder = started + reminderInterval
    }

    /// Whether the timeout has passed.
    var isOver: Bool { ContinuousClock.now >= started + timeout }

    /// `Still waiting for <path>: 1m 30s of 10m 00s` once per `reminderInterval`, else `nil`.
    mutating func reminder(path: String, now: ContinuousClock.Instant = .now) -> String? {
        guard reminderInterval > .zero, now >= nextReminder, now < started + timeout else { return nil }
        while nextReminder <= now { nextReminder += reminderInterval }
        return "Still waiting for \(path): \((now - started).scapMinutesSeconds) of \(timeout.scapMinutesSeconds)"
    }

    /// Sleeps `pollInterval`, or less when the deadline comes first.
    func pause(pollInterval: Duration) async {
        let left = started + timeout - ContinuousClock.now
        try? await Task.sleep(for: min(pollInterval, max(left, .milliseconds(1))))
    }
}
