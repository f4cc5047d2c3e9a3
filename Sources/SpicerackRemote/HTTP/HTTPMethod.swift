/// An HTTP request method, e.g. `GET`; any token is accepted, the common ones have constants.
public struct HTTPMethod: RawRepresentable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The method name, upper-case.
    public var rawValue: String

    /// Creates a method from its name (upper-cased).
    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }
    /// Creates a method from a literal such as `"PATCH"`.
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    /// `GET`.
    public static let get = HTTPMethod(rawValue: "GET")
    /// `HEAD`.
    public static let head = HTTPMethod(rawValue: "HEAD")
    /// `OPTIONS`.
    public static let options = HTTPMethod(rawValue: "OPTIONS")
    /// `POST`.
    public static let post = HTTPMethod(rawValue: "POST")
    /// `PUT`.
    public static let put = HTTPMethod(rawValue: "PUT")
    /// `PATCH`.
    public static let patch = HTTPMethod(rawValue: "PATCH")
    /// `DELETE`.
    public static let delete = HTTPMethod(rawValue: "DELETE")
    /// `TRACE`.
    public static let trace = HTTPMethod(rawValue: "TRACE")

    /// Whether the method only reads (`GET`, `HEAD`, `OPTIONS`): the only ones sent in dry-run mode.
    public var isReadOnly: Bool { [HTTPMethod.get, .head, .options].contains(self) }

    /// The method name.
    public var description: String { rawValue }
}
