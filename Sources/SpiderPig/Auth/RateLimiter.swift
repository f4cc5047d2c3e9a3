import Foundation

/// A sliding-window limit per key (the client's IP): at most `limit` events in `window` seconds.
/// Applied to the login and second-factor endpoints, on top of the per-user TOTP lockout.
public actor RateLimiter {
    private let limit: Int
    private let window: TimeInterval
    private var events: [String: [Date]] = [:]

    /// Creates a limiter of `limit` events per `window` seconds per key.
    public init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Records an event for `key`; false if it is over the limit (the event is then not counted).
    public func allow(_ key: String, now: Date = Date()) -> Bool {
        if events.count > 10000 { events = events.filter { $0.value.last.map { now.timeIntervalSince($0) < window } ?? false } }
        var recent = (events[key] ?? []).filter { now.timeIntervalSince($0) < window }
        guard recent.count < limit else {
            events[key] = recent
            return false
        }
        recent.append(now)
        events[key] = recent
        return true
    }
}
