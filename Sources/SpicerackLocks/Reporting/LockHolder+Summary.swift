import Foundation

extension LockHolder {
    /// One line about the holder for logs and errors:
    /// `alice@host [123], pid 123, held 2m 5s, 28m left, waiting for input (sre.hosts.reboot -t T1)`.
    func summary(at now: Date) -> String {
        var text = "\(owner), pid \(pid), held \(HumanDuration.format(now.timeIntervalSince(created)))"
        text += ", \(HumanDuration.format(expires.timeIntervalSince(now))) left"
        if waitingForInput { text += ", waiting for input" }
        if let label, !label.isEmpty { text += " (\(label))" }
        return text
    }
}
