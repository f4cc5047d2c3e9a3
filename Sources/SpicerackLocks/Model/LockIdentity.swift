import Foundation
import Wmflib

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who takes a lock: the user, the host and the process, shown to anyone who finds the lock busy.
public struct LockIdentity: Sendable, Hashable {
    /// The person running the process (under sudo, the one who ran sudo).
    public var user: String
    /// The host name of the machine.
    public var host: String
    /// The process ID of the run.
    public var pid: Int32
    /// When that process started (clock ticks after boot), so that a reused PID is not taken for it.
    public var startTime: UInt64?

    /// Creates an identity.
    public init(user: String, host: String, pid: Int32, startTime: UInt64? = nil) {
        self.user = user
        self.host = host
        self.pid = pid
        self.startTime = startTime
    }

    /// Spicerack's owner string, `user@host [pid]`.
    public var owner: String { "\(user)@\(host) [\(pid)]" }

    /// The identity of the current process: ``getUsername(environment:)``, the host name, the PID and its start
    /// time.
    public static var current: LockIdentity {
        LockIdentity(user: getUsername(), host: currentHostName(), pid: getpid(), startTime: processStartTime(getpid()))
    }

    /// When process `pid` of this machine started (clock ticks after boot), or `nil` where unknown.
    public static func startTime(of pid: Int32) -> UInt64? { processStartTime(pid) }

    /// The name of this machine as `gethostname` reports it (Python's `socket.gethostname()`).
    public static func currentHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
