/// A conftool operation that failed (Spicerack's `ConfctlError`): a bad configuration or schema, a selection that
/// matches nothing, a value the schema refuses, an etcd problem, or a change that did not stick.
///
/// ```
/// No match found for node dc=eqiad,cluster=appserver,service=apache2,name=mw2001
/// ```
public struct ConftoolError: SpicerackRootError, Equatable {
    /// What went wrong.
    public var message: String
    /// Where: the etcd key, file or selection concerned, when there is one.
    public var location: String?
    /// What to do about it.
    public var hint: String?

    /// Creates an error.
    public init(_ message: String, location: String? = nil, hint: String? = nil) {
        self.message = message
        self.location = location
        self.hint = hint
    }

    /// `message [location] (hint: ...)`.
    public var description: String {
        var text = message
        if let location { text += " [\(location)]" }
        if let hint { text += " (hint: \(hint))" }
        return text
    }
}
