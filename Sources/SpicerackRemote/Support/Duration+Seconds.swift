extension Duration {
    /// The duration in seconds, with its fractional part.
    var inSeconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    /// A duration of `seconds` seconds, rounded to the millisecond.
    static func seconds(rounding seconds: Double) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
