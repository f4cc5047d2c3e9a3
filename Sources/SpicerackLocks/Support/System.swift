import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The message of the current `errno`.
func systemError() -> String {
    String(cString: strerror(errno))
}

/// `write(2)`, named so that it is not shadowed by methods called `write`.
func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// Whether process `pid` of this machine no longer exists.
func processIsGone(_ pid: Int32) -> Bool {
    guard pid > 0 else { return false }
    return kill(pid, 0) != 0 && errno == ESRCH
}

/// When process `pid` of this machine started, in clock ticks after boot (field 22 of `/proc/PID/stat`), or
/// `nil` where that is not available. With the PID it names one process: a PID reused by a later process has
/// another start time.
func processStartTime(_ pid: Int32) -> UInt64? {
    guard pid > 0, let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
    let text = String(decoding: data, as: UTF8.self)
    // The command name (field 2) is in parentheses and may hold spaces or ')': fields resume after the last ')'.
    guard let close = text.lastIndex(of: ")") else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 19 else { return nil }
    return UInt64(fields[19])
}
