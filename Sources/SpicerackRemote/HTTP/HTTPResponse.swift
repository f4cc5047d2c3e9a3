import Foundation

/// A response to an ``HTTPClient`` request: status, headers and the whole body.
public struct HTTPResponse: Sendable {
    /// The URL the response came from (after redirects).
    public var url: URL
    /// The status code, e.g. 200.
    public var status: Int
    /// The headers, as the server sent their names.
    public var headers: [String: String]
    /// The body.
    public var body: Data

    /// Creates a response.
    public init(url: URL, status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.url = url
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.key.lowercased() == lowered }?.value
    }

    /// The body decoded as UTF-8 (invalid bytes replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// This response when its status is 2xx (requests' `raise_for_status`).
    /// - Throws: ``HTTPError`` with the status and the start of the body otherwise.
    @discardableResult
    public func checked(method: HTTPMethod = .get) throws(HTTPError) -> HTTPResponse {
        guard isSuccess else {
            throw HTTPError(
                method: method, url: url, status: status, message: "the server answered HTTP \(status)",
                hint: status >= 500
                    ? "the service failed; retry later or check its health"
                    : "check the URL, the parameters and the credentials of the request",
                body: HTTPError.excerpt(of: body))
        }
        return self
    }
}
