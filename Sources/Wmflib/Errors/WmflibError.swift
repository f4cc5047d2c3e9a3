/// The error thrown by Wmflib's helpers: what went wrong, and optionally what caused it.
///
/// It is the Swift counterpart of `wmflib.exceptions.WmflibError`, and the kind of error that ``retry(tries:delay:backoff:retryIf:failureMessage:dryRun:logger:sleep:dynamicParameters:function:fileID:operation:)``
/// retries by default.
public struct WmflibError: Error, Sendable, Equatable, CustomStringConvertible, CausedError {
    /// What went wrong, in words a user can act on.
    public var message: String
    /// The description of the lower-level error that caused this one, when there is one.
    public var underlying: String?

    /// Creates an error.
    /// - Parameters:
    ///   - message: what went wrong.
    ///   - underlying: the description of the error that caused it, if any.
    public init(_ message: String, underlying: String? = nil) {
        self.message = message
        self.underlying = underlying
    }

    /// The message alone, as `str()` of the Python exception.
    public var description: String { message }

    /// The underlying description, shown as `Caused by: ...` in retry logs.
    public var causeDescription: String? { underlying }
}

/// An error that knows the description of the error that caused it (Python's `raise ... from e`).
///
/// Retry logs follow the chain: `message\nCaused by: cause`.
public protocol CausedError: Error {
    /// The description of the causing error, or `nil` when this error is the root cause.
    var causeDescription: String? { get }
}

/// The message of an error followed by its cause, formatted as wmflib's retry decorator logs it.
///
/// ```
/// File /tmp/x not found
/// Caused by: No such file or directory
/// ```
/// - Parameter error: any error; a ``CausedError`` contributes its cause on a second line.
/// - Returns: the error's description, then `Caused by: <cause>` when there is one.
public func errorChainMessage(_ error: any Error) -> String {
    var parts = [String(describing: error)]
    if let caused = error as? any CausedError, let cause = caused.causeDescription {
        parts.append("Caused by: \(cause)")
    }
    return parts.joined(separator: "\n")
}
