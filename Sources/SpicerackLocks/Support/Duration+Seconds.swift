extension Duration {
    /// The duration in seconds, with its fractional part.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    /// The duration rounded up to whole seconds, at least one (lock TTLs are whole seconds, as etcd leases).
    var wholeSecondsRoundedUp: Int {
        max(Int(seconds.rounded(.up)), 1)
    }
}
