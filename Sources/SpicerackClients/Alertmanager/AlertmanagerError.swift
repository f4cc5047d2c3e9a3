/// An Alertmanager operation that failed (Spicerack's `AlertmanagerError`): no URL configured, no matcher, or no
/// Alertmanager accepting the request (each URL's failure is listed).
///
/// ```
/// Unable to POST to any Alertmanager: http://127.0.0.1:9093/api/v2/silences: HTTP 400 ...
/// ```
public struct AlertmanagerError: SpicerackRootError, Equatable {
    /// What went wrong.
    public var message: String
    /// The HTTP status of the last answer, when there was one.
    public var status: Int?

    /// Creates an error.
    public init(_ message: String, status: Int? = nil) {
        self.message = message
        self.status = status
    }

    /// The message.
    public var description: String { message }
}
