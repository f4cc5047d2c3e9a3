import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A process the bed started, identified by PID and start time so that a recycled PID is never signalled.
struct ProcessIdentity: Codable, Sendable, Equatable {
    var pid: Int32
    /// Start time in clock ticks since boot (field 22 of /proc/PID/stat); nil where /proc is unavailable.
    var startTime: UInt64?
}

/// Reads the process table (/proc on Linux) and signals processes by PID.
enum ProcessTable {
    /// Fields of /proc/PID/stat after the command name: index 0 is the state, index 1 the parent PID.
    static func statFields(_ pid: Int32) -> [Substring]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
    }

    /// The identity of a live process, or nil if it does not exist.
    static func identity(of pid: Int32) -> ProcessIdentity? {
        guard kill(pid, 0) == 0 || errno == EPERM else { return nil }
        let startTime = statFields(pid).flatMap { $0.count > 19 ? UInt64($0[19]) : nil }
        return ProcessIdentity(pid: pid, startTime: startTime)
    }

    /// One-letter state of a process (R, S, T, Z, ...), nil if unknown.
    static func state(of pid: Int32) -> Character? {
        statFields(pid)?.first?.first
    }

    /// Whether `process` still runs: reaps it if it is our child, and counts zombies and recycled PIDs as gone.
    static func isAlive(_ process: ProcessIdentity) -> Bool {
        var status: Int32 = 0
        if waitpid(process.pid, &status, WNOHANG) == process.pid { return false }
        guard kill(process.pid, 0) == 0 || errno == EPERM else { return false }
        guard let fields = statFields(process.pid) else {
            return FileManager.default.fileExists(atPath: "/proc") ? false : true
        }
        if fields.first == "Z" || fields.first == "X" { return false }
        if let recorded = process.startTime, fields.count > 19, let current = UInt64(fields[19]), current != recorded {
            return false
        }
        return true
    }

    /// All live descendants of `roots` (children, grandchildren, ...), from one scan of /proc.
    static func descendants(of roots: [Int32]) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var children: [Int32: [Int32]] = [:]
        for entry in entries {
            guard let child = Int32(entry), let fields = statFields(child), fields.count > 1,
                let parent = Int32(fields[1])
            else { continue }
            children[parent, default: []].append(child)
        }
        var result: [Int32] = []
        var queue = roots
        // Bounded by the number of processes listed (plus the roots).
        for _ in 0..<(entries.count + roots.count + 1) {
            guard let next = queue.popLast() else { break }
            let direct = children[next] ?? []
            result += direct
            queue += direct
        }
        return result
    }

    /// Stops `processes` and everything they started: SIGCONT (in case one is frozen), SIGTERM, then SIGKILL
    /// after `gracePeriod` seconds. Returns the PIDs still alive at the end (empty on success).
    @discardableResult
    static func terminate(_ processes: [ProcessIdentity], gracePeriod: Double = 3) -> [Int32] {
        let roots = processes.filter { isAlive($0) }
        guard !roots.isEmpty else { return [] }
        let everyone = roots + descendants(of: roots.map(\.pid)).compactMap { identity(of: $0) }
        for member in everyone {
            kill(member.pid, SIGTERM)
            kill(member.pid, SIGCONT)
        }
        if pollUntil(timeout: gracePeriod, { everyone.allSatisfy { !isAlive($0) } }) { return [] }
        for member in everyone where isAlive(member) {
            kill(member.pid, SIGKILL)
        }
        _ = pollUntil(timeout: 2) { everyone.allSatisfy { !isAlive($0) } }
        return everyone.filter { isAlive($0) }.map(\.pid)
    }
}
