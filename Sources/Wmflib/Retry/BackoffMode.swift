import OpsSupport

/// How the delay between retries grows, as wmflib's `backoff_mode`.
///
/// With a base delay `d` and the 1-based attempt number `N` that just failed:
/// - ``constant``: `d` (3s, 3s, 3s, ...)
/// - ``linear``: `d·N` (3s, 6s, 9s, ...)
/// - ``power``: `d·2^(N-1)` (3s, 6s, 12s, ...)
/// - ``exponential``: `d^N` in seconds (3s, 9s, 27s, ...); `d` must be at least one second.
public enum BackoffMode: String, Sendable, CaseIterable, Equatable {
    /// The same delay every time.
    case constant
    /// The delay times the attempt number.
    case linear
    /// The delay doubled after every attempt.
    case power
    /// The delay in seconds raised to the attempt number.
    case exponential

    /// The delay to sleep after the given failed attempt.
    /// - Parameters:
    ///   - base: the base delay `d`.
    ///   - attempt: the 1-based number of the attempt that failed.
    /// - Returns: the time to wait before the next attempt.
    public func delay(base: Duration, attempt: Int) -> Duration {
        let seconds = base.inSeconds
        let result: Double
        switch self {
        case .constant: result = seconds
        case .linear: result = seconds * Double(attempt)
        case .power: result = seconds * pow2(attempt - 1)
        case .exponential: result = integerPower(seconds, attempt)
        }
        return .seconds(result)
    }
}

private func pow2(_ exponent: Int) -> Double {
    integerPower(2, exponent)
}

private func integerPower(_ base: Double, _ exponent: Int) -> Double {
    var result = 1.0
    for _ in 0..<max(exponent, 0) { result *= base }
    return result
}

extension Duration {
    /// The duration as Python prints a `timedelta`: `H:MM:SS` plus `.ffffff` when there are microseconds.
    var timedeltaDescription: String {
        let totalMicroseconds = Int((inSeconds * 1_000_000).rounded())
        let negative = totalMicroseconds < 0
        let magnitude = abs(totalMicroseconds)
        let micro = magnitude % 1_000_000
        let totalSeconds = magnitude / 1_000_000
        let hours = totalSeconds / 3600
        let minutes = (totalSeconds % 3600) / 60
        let secs = totalSeconds % 60
        var text = "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))"
        if micro != 0 {
            let digits = String(micro)
            text += "." + String(repeating: "0", count: 6 - digits.count) + digits
        }
        return negative ? "-" + text : text
    }
}

private func twoDigits(_ value: Int) -> String {
    value < 10 ? "0\(value)" : "\(value)"
}
