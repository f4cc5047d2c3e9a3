import Foundation

/// An HTTP request that failed: which request, the status when there was an answer, what went wrong and what to do.
///
/// ```
/// GET http://127.0.0.1:9/api: cannot connect to the server (hint: check that the service runs and the URL)
/// ```
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// The request method.
    public var method: HTTPMethod
    /// The request URL.
    public var url: URL
    /// The status code of the answer, `nil` when no answer arrived (connection, timeout, TLS).
    public var status: Int?
    /// What went wrong.
    public var message: String
    /// What to do about it.
    public var hint: String?
    /// The start of the response body, when there was one.
    public var body: String?

    /// Creates an error.
    public init(
        method: HTTPMethod, url: URL, status: Int? = nil, message: String, hint: String? = nil, body: String? = nil
    ) {
        self.method = method
        self.url = url
        self.status = status
        self.message = message
        self.hint = hint
        self.body = body
    }

    /// `METHOD URL: message (hint: ...)`, then the body excerpt on its own line.
    public var description: String {
        var text = "\(method) \(url.absoluteString): \(message)"
        if let hint { text += " (hint: \(hint))" }
        if let body, !body.isEmpty { text += "\nResponse body: \(body)" }
        return text
    }

    /// The first 500 characters of a body, as text.
    package static func excerpt(of body: Data) -> String {
        let text = String(decoding: body.prefix(2000), as: UTF8.self)
        return text.count > 500 ? String(text.prefix(500)) + "..." : text
    }
}
