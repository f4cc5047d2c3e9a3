import NodeSet

/// The `direct` backend (`D{...}`): hosts written out as ClusterShell NodeSet expressions.
///
/// Items are whitespace-free tokens of letters, digits and `-_.,!&^[]` (no `@groups`, no wildcards, no `/` step
/// syntax), combined with `and`, `or`, `and not`, `xor` and parentheses, left to right:
/// ```swift
/// let hosts = try DirectBackend().execute(query: "host[1-5] and not (host2 or host4)")  // host[1,3,5]
/// ```
public struct DirectBackend: Backend {
    /// `direct`.
    public static let name = "direct"
    /// `D`.
    public static let grammarPrefix: Character = "D"

    /// Creates the backend; it needs no configuration.
    public init() {}

    /// Creates the backend; it needs no configuration.
    public init(configuration: Configuration) {}

    /// Expands the host expressions of `query` and combines them.
    public func execute(query: String) throws(QueryError) -> NodeSet {
        try HostGrammarQuery.evaluate(query, wildcards: false) { text, position throws(QueryError) in
            try HostGrammarQuery.nodeSet(text, position: position, in: query)
        }
    }
}
