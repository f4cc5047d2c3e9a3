#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Makes a write to a pipe whose reader is gone fail with EPIPE instead of killing the whole process with SIGPIPE.
///
/// Test processes call it before they drive children or SSH sessions: a child (or an `ssh` to a host that went
/// down) may exit just before the test or the library writes to its stdin, and SIGPIPE would end the test runner.
public func ignoreBrokenPipes() {
    signal(SIGPIPE, SIG_IGN)
}
