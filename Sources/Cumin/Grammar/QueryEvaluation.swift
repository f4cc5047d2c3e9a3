import NodeSet

/// The state of one ``Query/evaluate(_:)`` call: backend instances (created once, on first use), their warnings,
/// and the chain of aliases being expanded.
final class QueryEvaluation {
    let configuration: Configuration
    let backendTypes: [Character: any Backend.Type]
    private var instances: [Character: any Backend] = [:]
    private(set) var warnings: [String] = []
    /// The aliases being expanded, outermost first.
    private var aliasChain: [String] = []

    init(configuration: Configuration, backends: [any Backend.Type]) throws(QueryError) {
        self.configuration = configuration
        var types: [Character: any Backend.Type] = [:]
        for backend in backends {
            let prefix = Character(backend.grammarPrefix.uppercased())
            if prefix == "A" || types[prefix] != nil {
                throw QueryError(
                    kind: .unavailableBackend,
                    message: "backend '\(backend.name)' cannot use the prefix \(prefix): "
                        + (prefix == "A" ? "A is reserved for aliases" : "it is already registered"),
                    query: "", position: 0, hint: "give every backend its own prefix letter")
            }
            types[prefix] = backend
        }
        backendTypes = types
    }

    /// The prefix letter of the backend called `name` (for `default_backend`).
    func prefix(ofBackendNamed name: String, query: String) throws(QueryError) -> Character {
        for (prefix, type) in backendTypes where type.name == name { return prefix }
        let available = backendTypes.values.map { $0.name }.sorted().joined(separator: ", ")
        let unavailable = QueryGrammar.unavailableBackends.values.contains(name)
        throw QueryError(
            kind: .unavailableBackend,
            message: unavailable
                ? "default backend '\(name)' is not available in this build"
                : "Default backend '\(name)' is not registered"
                    + (name == configuration.defaultBackend
                        ? configuration.defaultBackendOrigin.map { " (default_backend, set at \($0))" } ?? "" : ""),
            query: query, position: 0, token: "", hint: "set default_backend (or --backend) to one of: \(available)")
    }

    /// The backend for `prefix`, created on first use; creation errors point at `position` in `query`.
    func backend(_ prefix: Character, query: String, position: Int, token: String) throws(QueryError) -> any Backend {
        if let instance = instances[prefix] { return instance }
        guard let type = backendTypes[prefix] else {
            throw QueryError(
                kind: .unavailableBackend, message: "unknown backend '\(prefix)'", query: query, position: position)
        }
        do {
            let instance = try type.init(configuration: configuration)
            instances[prefix] = instance
            warnings += instance.warnings
            return instance
        } catch {
            var located = error
            located.query = query
            located.position = position
            located.token = token
            throw located
        }
    }

    /// Parses `query` with the global grammar and evaluates it.
    func evaluateGlobal(_ query: String, depth: Int = 0) throws(QueryError) -> NodeSet {
        let expression = try QueryGrammar.parseGlobal(
            query, backendPrefixes: Set(backendTypes.keys), depth: depth)
        return try expression.evaluate(depth: depth) { leaf, leafDepth throws(QueryError) in
            try self.evaluate(leaf, depth: leafDepth, in: query)
        }
    }

    private func evaluate(_ leaf: QueryExpression, depth: Int, in query: String) throws(QueryError) -> NodeSet {
        switch leaf {
        case .backendQuery(let prefix, let text, let position):
            let backend = try backend(prefix, query: query, position: position, token: "\(prefix){")
            do {
                return try backend.execute(query: text)
            } catch {
                throw error.relocated(into: query, offset: position + 2)
            }
        case .alias(let name, let position):
            return try expandAlias(name, depth: depth, in: query, at: position)
        case .hosts, .chain:
            return NodeSet()
        }
    }

    private func expandAlias(_ name: String, depth: Int, in query: String, at position: Int) throws(QueryError)
        -> NodeSet
    {
        let token = "A:\(name)"
        guard let body = configuration.aliases[name] else {
            throw QueryError(
                kind: .unknownAlias, message: "Unable to find alias replacement for '\(name)' in the configuration",
                query: query, position: position, token: token,
                hint: "define '\(name)' in aliases.yaml beside the configuration file"
                    + (configuration.path.map { " (\($0))" } ?? ""))
        }
        if let start = aliasChain.firstIndex(of: name) {
            let cycle = (aliasChain[start...] + [name]).map { "A:\($0)" }.joined(separator: " -> ")
            throw QueryError(
                kind: .aliasCycle, message: "alias cycle: \(cycle)", query: query, position: position, token: token,
                hint: "change aliases.yaml so that no alias refers back to itself")
        }
        if depth + 1 > QueryGrammar.maximumNestingDepth {
            throw QueryError(
                kind: .nestingTooDeep,
                message: "parentheses and aliases nest deeper than \(QueryGrammar.maximumNestingDepth) levels",
                query: query, position: position, token: token, hint: "flatten the aliases")
        }
        aliasChain.append(name)
        defer { aliasChain.removeLast() }
        do {
            return try evaluateGlobal(body, depth: depth + 1)
        } catch {
            throw error.insideAlias(name, body: body, query: query, position: position)
        }
    }
}
