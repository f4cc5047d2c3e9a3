import Foundation

/// The holders of locks as a text table, for `cookbook --locks`.
///
/// ```
/// KEY                                           OWNER             PID    AGE     LEFT    WAITING  LABEL
/// /spicerack/locks/cookbooks/sre.hosts.reboot   alice@cumin1001   4242   2m 5s   28m     yes      -t T1
/// ```
/// Rows are sorted by key, then oldest holder first; the LABEL column appears only when a holder has a label.
/// With no holder the table is the line `No locks held.`.
public struct LockTable: Sendable, CustomStringConvertible {
    /// The column titles, in order (LABEL is added when needed).
    public static let columns = ["KEY", "OWNER", "PID", "AGE", "LEFT", "WAITING"]

    /// The keys and their holders, as ``LockBackend/holders(prefix:)`` returns them.
    public var entries: [LockKey: [LockHolder]]
    /// The time ages and times left are computed at.
    public var now: Date

    /// Creates a table of `entries` as seen at `now`.
    public init(_ entries: [LockKey: [LockHolder]], now: Date = Date()) {
        self.entries = entries
        self.now = now
    }

    /// The data rows (without the title row), sorted by key then age.
    public var rows: [[String]] {
        let withLabels = entries.values.joined().contains { !($0.label ?? "").isEmpty }
        return entries.keys.sorted().flatMap { key in
            (entries[key] ?? []).sorted { $0.created < $1.created }.map { holder in
                var row = [
                    key.path, "\(holder.user)@\(holder.host)", String(holder.pid),
                    HumanDuration.format(now.timeIntervalSince(holder.created)),
                    HumanDuration.format(holder.expires.timeIntervalSince(now)),
                    holder.waitingForInput ? "yes" : "no",
                ]
                if withLabels { row.append(holder.label ?? "") }
                return row
            }
        }
    }

    /// The rendered table, columns separated by at least two spaces, one line per holder.
    public var description: String {
        let body = rows
        guard let first = body.first else { return "No locks held." }
        let titles = Self.columns + (first.count > Self.columns.count ? ["LABEL"] : [])
        let table = [titles] + body
        let widths = titles.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
            }.joined().trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
