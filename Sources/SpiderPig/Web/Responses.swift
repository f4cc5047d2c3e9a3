import Foundation
import HTTPTypes
import Hummingbird

/// A response with a body of a given content type.
struct Body: ResponseGenerator {
    var status: HTTPResponse.Status = .ok
    var contentType: String
    var text: String
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Body {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Body(status: status, contentType: "application/json; charset=utf-8", text: String(decoding: data, as: UTF8.self))
    }

    static func html(_ text: String) -> Body { Body(contentType: "text/html; charset=utf-8", text: text) }
}

/// An API error as JSON `{"error": message}` with its status.
struct APIError: Error, HTTPResponseError {
    var status: HTTPResponse.Status
    var message: String
    var extra: [String: Any] = [:]

    init(_ status: HTTPResponse.Status, _ message: String, extra: [String: Any] = [:]) {
        self.status = status
        self.message = message
        self.extra = extra
    }

    var headers: HTTPFields { [.contentType: "application/json; charset=utf-8"] }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var object = extra
        object["error"] = message
        return try Body.json(object, status: status).response(from: request, context: context)
    }
}

/// Security headers on every response: a CSP without inline scripts or styles, no framing, no sniffing.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response: Response
        do { response = try await next(request, context) } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "same-origin"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("X-Request-ID")!] = context.id
        if request.uri.path.hasPrefix("/api/") { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

extension HTTPField.Name {
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let csrfToken = Self("X-CSRF-Token")!
}
