extension Duration {
    /// The duration in seconds, fractions included.
    var scapSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// The duration as scap prints it, rounded to the second: `00m 29s`, `12m 05s`.
    var scapMinutesSeconds: String {
        let total = Int(scapSeconds.rounded())
        func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(twoDigits(total / 60))m \(twoDigits(total % 60))s"
    }
}
