/// Helpers shared by the example tree (files starting with `_` are not cookbooks).

/// `3d 4h 5m` for a number of seconds.
func formatUptime(_ seconds: Double) -> String {
    let total = Int(seconds)
    let days = total / 86_400
    let hours = (total % 86_400) / 3600
    let minutes = (total % 3600) / 60
    return days > 0 ? "\(days)d \(hours)h \(minutes)m" : "\(hours)h \(minutes)m"
}
