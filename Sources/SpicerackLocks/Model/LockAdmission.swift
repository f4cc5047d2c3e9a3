/// Spicerack's rule for admitting a new holder next to the live ones.
///
/// The limit is the smallest non-zero concurrency among the live holders and the newcomer (0 = unlimited): a
/// holder that asked for exclusive access keeps it even when a newcomer accepts company, and vice versa.
enum LockAdmission {
    /// The number of holders allowed together with a newcomer of `concurrency`, or nil when unlimited.
    static func limit(live: [LockHolder], newcomerConcurrency concurrency: Int) -> Int? {
        ([concurrency] + live.map(\.concurrency)).filter { $0 > 0 }.min()
    }

    /// Whether a newcomer of `concurrency` may join `live`.
    static func admits(live: [LockHolder], newcomerConcurrency concurrency: Int) -> Bool {
        guard let limit = limit(live: live, newcomerConcurrency: concurrency) else { return true }
        return live.count < limit
    }
}
