import NodeSet

/// Selects hosts with a cumin query: the global grammar (`D{...}`, `K{...}`, `A:alias`, parentheses, `and`, `or`,
/// `and not`, `xor`, evaluated left to right) or, when a default backend is set, that backend's grammar.
///
/// As in cumin, a query is first parsed with the default backend's grammar and only on a syntax error with the
/// global grammar, so one query cannot mix the two (`D{a} or b` is an error under `default_backend: direct`).
/// ```swift
/// var configuration = Configuration()
/// configuration.defaultBackend = "direct"
/// let hosts = try Query(configuration: configuration).execute("host[1-5] or host[6-10] and host[5-6]")
/// print(hosts)  // host[5-6]
/// ```
public struct Query: Sendable {
    /// The backends available to queries here: direct (`D`) and knownhosts (`K`).
    public static let builtinBackends: [any Backend.Type] = [DirectBackend.self, KnownHostsBackend.self]

    /// The configuration: aliases, known_hosts files, default backend.
    public let configuration: Configuration
    /// The backend whose grammar is tried first (`--backend`, else `default_backend`), or `nil` for the global
    /// grammar only.
    public let defaultBackend: String?
    /// The backends that `X{...}` can name.
    public let backends: [any Backend.Type]

    /// Creates a query engine.
    ///
    /// - Parameters:
    ///   - configuration: supplies `aliases`, `knownHostsFiles` and `defaultBackend`.
    ///   - backend: a backend name (`direct`, `knownhosts`) that overrides `configuration.defaultBackend`, like
    ///     cumin's `--backend`.
    ///   - backends: the backends available to `X{...}`; the built-in ones by default.
    public init(configuration: Configuration, backend: String? = nil, backends: [any Backend.Type] = builtinBackends) {
        self.configuration = configuration
        self.defaultBackend = backend ?? configuration.defaultBackend
        self.backends = backends
    }

    /// Selects the hosts matching `query`.
    ///
    /// - Throws: ``QueryError`` for a query that cannot be parsed (with the position of the problem), an unknown
    ///   alias or alias cycle, an invalid host expression, or an unreadable known_hosts file.
    public func execute(_ query: String) throws(QueryError) -> NodeSet {
        try evaluate(query).hosts
    }

    /// Selects the hosts matching `query` and reports the warnings of the backends it used.
    public func evaluate(_ query: String) throws(QueryError) -> QueryResult {
        let evaluation = try QueryEvaluation(configuration: configuration, backends: backends)
        let hosts = try evaluate(query, with: evaluation)
        return QueryResult(hosts: hosts, warnings: evaluation.warnings)
    }

    private func evaluate(_ query: String, with evaluation: QueryEvaluation) throws(QueryError) -> NodeSet {
        guard let defaultBackend else {
            do {
                return try evaluation.evaluateGlobal(query)
            } catch  where error.kind == .syntax {
                var wrapped = error
                wrapped.message =
                    "Unable to parse the query '\(query)' with the global grammar and no default "
                    + "backend is set:\n\(error.message)"
                wrapped.hint = error.hint ?? "wrap hosts in D{...} or set default_backend"
                throw wrapped
            }
        }
        let prefix = try evaluation.prefix(ofBackendNamed: defaultBackend, query: query)
        let defaultError: QueryError
        do {
            return try evaluation.backend(prefix, query: query, position: 0, token: "").execute(query: query)
        } catch  where error.kind == .syntax {
            defaultError = error
        }
        do {
            return try evaluation.evaluateGlobal(query)
        } catch  where error.kind == .syntax {
            var first = defaultError
            first.label = defaultBackend
            var second = error
            second.label = "global"
            let primary = second.position >= first.position ? second : first
            // The usual cause: global syntax under the default backend's grammar, or bare hosts after global items.
            let mixed = first.token.contains("{") || first.token.contains(":") || second.position > 0
            let mixingHint =
                "with a default backend, write the whole query in its grammar (host[1-3] and not host2) "
                + "or in the global grammar (D{host[1-3]} and not A:web); the two cannot be mixed"
            throw QueryError(
                kind: .syntax,
                message: "Unable to parse the query '\(query)' neither with the default backend "
                    + "'\(defaultBackend)' nor with the global grammar:\n\(defaultBackend): \(first.locatedMessage)"
                    + "\nglobal: \(second.locatedMessage)",
                query: query, position: primary.position, token: primary.token,
                hint: [primary.hint, mixed ? mixingHint : nil].compactMap { $0 }.joined(separator: "\n      "),
                alternatives: [first, second])
        }
    }
}

/// The hosts a query selected and the warnings of the backends it used.
public struct QueryResult: Sendable {
    /// The selected hosts (possibly empty).
    public var hosts: NodeSet
    /// Problems that did not stop the query, e.g. "Discarded invalid line 3 (not enough fields) in known hosts
    /// file '/etc/ssh/ssh_known_hosts': ...".
    public var warnings: [String]
}
