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
