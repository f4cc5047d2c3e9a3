#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Process limits that decide how many SSH clients can run at once.
public enum ResourceLimits {
    /// File descriptors one in-flight client costs (pipes for stdout/stderr, process descriptor, spares).
    static let descriptorsPerProcess = 6
    /// Descriptors kept free for the engine itself (logs, terminal, sockets).
    static let reservedDescriptors = 64

    /// Raises the soft open-files limit to the hard limit and returns the new soft limit.
    @discardableResult
    public static func raiseOpenFilesLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur > rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    }

    /// The most child processes that fit in the current open-files limit.
    public static func maximumConcurrentProcesses() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 64 }
        let soft = limit.rlim_cur > rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
        return max(1, (soft - reservedDescriptors) / descriptorsPerProcess)
    }
}
