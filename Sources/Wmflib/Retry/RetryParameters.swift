/// The parameters of one ``retry(tries:delay:backoff:retryIf:failureMessage:dryRun:logger:sleep:dynamicParameters:function:fileID:operation:)`` call,
/// which dynamic-parameter callbacks may adjust before the first attempt (wmflib's `RetryParams`).
public struct RetryParameters: Sendable, Equatable {
    /// How many times to run the operation before giving up; at least 1.
    public var tries: Int
    /// The base delay for the backoff.
    public var delay: Duration
    /// How the delay grows between attempts.
    public var backoff: BackoffMode
    /// The message logged on each retryable failure; must not be empty.
    public var failureMessage: String

    /// Creates a parameter set.
    public init(tries: Int, delay: Duration, backoff: BackoffMode, failureMessage: String) {
        self.tries = tries
        self.delay = delay
        self.backoff = backoff
        self.failureMessage = failureMessage
    }

    /// Checks that the values are consistent, with wmflib's messages.
    /// - Throws: ``WmflibError`` when the delay is under one second with exponential backoff, when `tries` is not
    ///   positive, or when the failure message is empty.
    public func validate() throws(WmflibError) {
        if backoff == .exponential && delay < .seconds(1) {
            throw WmflibError(
                "Delay must be greater than 1 if backoff_mode is exponential, got \(delay.timedeltaDescription)")
        }
        if tries < 1 {
            throw WmflibError("Tries must be a positive integer, got \(tries)")
        }
        if failureMessage.isEmpty {
            throw WmflibError("A failure_message must be set.")
        }
    }
}
