import OpsSupport

extension Duration {
    /// The duration as scap prints it, rounded to the second: `00m 29s`, `12m 05s`.
    var scapMinutesSeconds: String {
        let total = Int(inSeconds.rounded())
        func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(twoDigits(total / 60))m \(twoDigits(total % 60))s"
    }
}
