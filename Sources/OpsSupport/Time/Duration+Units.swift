extension Duration {
    /// The duration in seconds, fractions included: `.milliseconds(1500).inSeconds == 1.5`.
    package var inSeconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    /// The duration in whole milliseconds, truncated toward zero and clamped to `Int64`.
    package var inMilliseconds: Int64 {
        Self.clampedUnits(components, perSecond: 1000, attosecondsPerUnit: 1_000_000_000_000_000)
    }

    /// The duration in whole nanoseconds, truncated toward zero and clamped to `Int64`.
    package var inNanoseconds: Int64 {
        Self.clampedUnits(components, perSecond: 1_000_000_000, attosecondsPerUnit: 1_000_000_000)
    }

    private static func clampedUnits(
        _ components: (seconds: Int64, attoseconds: Int64), perSecond: Int64, attosecondsPerUnit: Int64
    ) -> Int64 {
        let limit: Int64 = components.seconds < 0 ? .min : .max
        let (product, overflow) = components.seconds.multipliedReportingOverflow(by: perSecond)
        if overflow { return limit }
        let (sum, sumOverflow) = product.addingReportingOverflow(components.attoseconds / attosecondsPerUnit)
        return sumOverflow ? limit : sum
    }

    /// The whole seconds of the duration, the fraction dropped: `.milliseconds(2900).wholeSeconds == 2`.
    package var wholeSeconds: Int {
        Int(clamping: components.seconds)
    }

    /// The duration rounded up to whole seconds, at least one (lock TTLs are whole seconds, as etcd leases are).
    package var wholeSecondsRoundedUp: Int {
        let seconds = inSeconds.rounded(.up)
        guard seconds < Double(Int.max) else { return .max }
        return max(Int(seconds), 1)
    }

    /// A duration of `seconds` seconds, rounded to the millisecond; not-a-number and infinities give zero and the
    /// largest representable value.
    package static func seconds(rounding seconds: Double) -> Duration {
        guard !seconds.isNaN else { return .zero }
        let milliseconds = (seconds * 1000).rounded()
        guard milliseconds < Double(Int64.max) else { return .milliseconds(Int64.max) }
        guard milliseconds > Double(Int64.min) else { return .milliseconds(Int64.min) }
        return .milliseconds(Int64(milliseconds))
    }
}
