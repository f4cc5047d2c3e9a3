import NodeSet

/// A source of hosts selected by a query in its own grammar, reachable from the global grammar as `X{query}`.
///
/// ``Query`` creates one instance per evaluated query, the first time the query needs the backend, and calls
/// ``execute(query:)`` for every `X{...}` (or for the whole query when the backend is the default one).
/// Conforming types: ``DirectBackend`` (`D`), ``KnownHostsBackend`` (`K`).
public protocol Backend: Sendable {
    /// The name used by `default_backend` and `--backend`, e.g. `direct`.
    static var name: String { get }
    /// The upper-case letter of `X{...}` in the global grammar, e.g. `D`; `A` is reserved for aliases.
    static var grammarPrefix: Character { get }

    /// Creates the backend from the configuration, reading whatever it needs (files, credentials).
    init(configuration: Configuration) throws(QueryError)

    /// Selects the hosts matching `query`, written in the backend's grammar.
    ///
    /// Errors carry positions relative to `query`; throw kind ``QueryError/Kind/syntax`` only for text that does
    /// not follow the grammar, since that is what makes a default-backend query fall back to the global grammar.
    func execute(query: String) throws(QueryError) -> NodeSet

    /// Problems found while setting up the backend that did not stop it (e.g. discarded known_hosts lines).
    var warnings: [String] { get }
}

extension Backend {
    /// No warnings.
    public var warnings: [String] { [] }
}

/// Evaluation shared by the backends whose grammar is the host grammar (direct, knownhosts).
enum HostGrammarQuery {
    /// Parses `query` with the host grammar and folds it left to right, asking `hosts` for every host expression
    /// (its text and position).
    static func evaluate(
        _ query: String, wildcards: Bool, hosts: (String, Int) throws(QueryError) -> NodeSet
    ) throws(QueryError) -> NodeSet {
        let expression = try QueryGrammar.parseHosts(query, wildcards: wildcards)
        return try expression.evaluate { leaf, _ throws(QueryError) in
            guard case .hosts(let text, let position) = leaf else { return NodeSet() }
            return try hosts(text, position)
        }
    }

    /// The NodeSet of `expression`, found at `position` in `query`; NodeSet errors become ``QueryError``s that
    /// keep the NodeSet message and point into `query`.
    static func nodeSet(_ expression: String, position: Int, in query: String) throws(QueryError) -> NodeSet {
        let nodes: NodeSet
        do {
            nodes = try NodeSet(expression)
        } catch {
            throw QueryError(
                kind: .invalidHosts, message: "invalid host expression '\(expression)': \(error.message)",
                query: query, position: position + error.position,
                token: error.token.isEmpty ? expression : error.token,
                hint: "fix the host expression; ClusterShell syntax: host[1-3,5].example.org, a,b  a!b  a&b  a^b")
        }
        if let refused = HostName.firstProblem(in: nodes) {
            throw QueryError(
                kind: .invalidHosts, message: refused.problem, query: query, position: position, token: expression,
                hint: "host names cannot start with '-'")
        }
        return nodes
    }
}
