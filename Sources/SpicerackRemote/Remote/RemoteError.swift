import NodeSet

/// A remote operation that cannot be done: a query that fails or selects nothing, a host set that cannot be
/// split or narrowed, an execution that cannot start, an output that cannot be parsed.
///
/// ```
/// Failed to execute Cumin query: Unable to parse the query 'host[1-3' ...
/// ```
public struct RemoteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in words a user can act on.
    public var message: String
    /// The hosts concerned, when the problem is about some hosts.
    public var hosts: NodeSet?

    /// Creates an error.
    /// - Parameters:
    ///   - message: what went wrong.
    ///   - hosts: the hosts concerned, if any.
    public init(_ message: String, hosts: NodeSet? = nil) {
        self.message = message
        self.hosts = hosts
    }

    /// The message.
    public var description: String { message }
}
