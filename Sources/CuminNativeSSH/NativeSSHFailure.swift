/// Why the native transport could not run a command on a host.
enum NativeSSHFailure: Error, Sendable, Equatable {
    /// The server refused every key offered.
    case authentication
    /// The connection closed before it was ready.
    case closed
    /// The host key check failed; the message is OpenSSH's kind of explanation.
    case hostKey(String)
    /// Something the native transport cannot do for this host: run it through OpenSSH instead.
    case fallback(String)
}
