#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Monotonic seconds since an arbitrary origin.
func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Sleeps the calling thread for `seconds`.
func sleepSeconds(_ seconds: Double) {
    guard seconds > 0 else { return }
    usleep(useconds_t(min(seconds, 60) * 1_000_000))
}

/// Polls `condition` every `interval` seconds until it holds or `timeout` seconds pass.
///
/// The loop is bounded both in time and in iterations.
/// - Returns: whether the condition held before the deadline.
func pollUntil(timeout: Double, interval: Double = 0.01, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = monotonicSeconds() + timeout
    let maximumIterations = Int(timeout / max(interval, 0.001)) + 2
    for _ in 0..<maximumIterations {
        if try condition() { return true }
        if monotonicSeconds() >= deadline { break }
        sleepSeconds(interval)
    }
    return try condition()
}
