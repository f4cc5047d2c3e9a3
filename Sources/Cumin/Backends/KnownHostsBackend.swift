import Foundation
import NodeSet

/// The `knownhosts` backend (`K{...}`): hosts listed in non-hashed OpenSSH known_hosts files.
///
/// The grammar is the direct backend's plus `*` and `?` in host expressions, which match (like shell globs) against
/// every known host. The result is always a subset of the known hosts: names that are not in the files vanish.
/// ```swift
/// let backend = try KnownHostsBackend(files: ["/etc/ssh/ssh_known_hosts"])
/// let hosts = try backend.execute(query: "web* and not web1*")
/// ```
public struct KnownHostsBackend: Backend {
    /// `knownhosts`.
    public static let name = "knownhosts"
    /// `K`.
    public static let grammarPrefix: Character = "K"

    /// Every host name found in the files.
    public let knownHosts: NodeSet
    /// The known host names, sorted, for wildcard matching.
    private let names: [String]
    /// One "Discarded invalid line ..." message per unusable line, in file order.
    public let warnings: [String]

    /// Reads the files of `knownhosts.files` in the configuration.
    public init(configuration: Configuration) throws(QueryError) {
        try self.init(files: configuration.knownHostsFiles)
    }

    /// Reads the given known_hosts files.
    ///
    /// - Throws: ``QueryError`` of kind ``QueryError/Kind/knownHostsFile`` naming the first file that cannot be read,
    ///   or the file and line of a host name that ``HostName`` refuses (e.g. one starting with `-`).
    public init(files: [String]) throws(QueryError) {
        var hosts = Set<String>()
        var warnings: [String] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                let reason = FileManager.default.fileExists(atPath: file) ? "cannot be read" : "does not exist"
                throw QueryError(
                    kind: .knownHostsFile, message: "the known hosts file '\(file)' \(reason)", query: "", position: 0,
                    hint: "fix knownhosts.files in the configuration or create the file")
            }
            let text = String(decoding: data, as: UTF8.self)
            for (index, line) in Self.lines(of: text).enumerated() {
                switch Self.parseLine(line) {
                case .hosts(let found, _):
                    if let refused = HostName.firstProblem(in: found.sorted()) {
                        throw QueryError(
                            kind: .knownHostsFile,
                            message: "\(file):\(index + 1): \(refused.problem)", query: "", position: 0,
                            hint: "remove the entry from the known hosts file")
                    }
                    for host in found where host.contains("[") && !Self.isNodeSet(host) {
                        warnings.append(
                            "Discarded invalid host '\(host)' on line \(index + 1) in known hosts file '\(file)': "
                                + "not a valid node set")
                    }
                    hosts.formUnion(found)
                case .skipped:
                    continue
                case .invalid(let reason):
                    warnings.append(
                        "Discarded invalid line \(index + 1) (\(reason)) in known hosts file '\(file)': \(line)")
                }
            }
        }
        self.init(names: hosts, warnings: warnings)
    }

    /// Uses the given host names as the known hosts.
    public init(knownHosts: some Sequence<String>) {
        self.init(names: Set(knownHosts), warnings: [])
    }

    private static func isNodeSet(_ text: String) -> Bool {
        do {
            _ = try NodeSet(text)
            return true
        } catch {
            return false
        }
    }

    /// A host field may be a node-set pattern (`kh-ca[1-2].example.net`, usually on `@cert-authority` lines): it
    /// stands for the hosts it expands to, as in cumin, so the count matches the folded form. A pattern that does
    /// not parse is left out (``init(files:)`` warns about it).
    private init(names: Set<String>, warnings: [String]) {
        var plain: [String] = []
        var patterns = NodeSet()
        for name in names {
            if name.contains("[") {
                if let expanded = try? NodeSet(name) { patterns.formUnion(expanded) }
            } else {
                plain.append(name)
            }
        }
        var known = NodeSet(nodes: plain)
        known.formUnion(patterns)
        self.knownHosts = known
        self.names = patterns.isEmpty ? plain.sorted() : Array(Set(plain).union(patterns.nodes)).sorted()
        self.warnings = warnings
    }

    /// Expands `query` (globbing `*` and `?` against the known hosts) and keeps only known hosts.
    public func execute(query: String) throws(QueryError) -> NodeSet {
        let hosts = try HostGrammarQuery.evaluate(query, wildcards: true) { text, position throws(QueryError) in
            try expand(text, position: position, in: query)
        }
        return hosts.intersection(knownHosts)
    }

    /// One host expression; terms with wildcards become the known hosts matching any of their expansions.
    private func expand(_ expression: String, position: Int, in query: String) throws(QueryError) -> NodeSet {
        guard expression.contains(where: { $0 == "*" || $0 == "?" }) else {
            return try HostGrammarQuery.nodeSet(expression, position: position, in: query)
        }
        // Let NodeSet check the syntax and expand the brackets with two unused letters standing in for * and ?.
        let unused = Self.placeholderLetters.filter { !expression.unicodeScalars.contains($0) }
        guard unused.count >= 2 else {
            throw QueryError(
                kind: .invalidHosts, message: "too many distinct letters around wildcards in '\(expression)'",
                query: query, position: position, token: expression, hint: "split the expression with 'or'")
        }
        let star = unused[0]
        let question = unused[1]
        let masked = String(
            String.UnicodeScalarView(
                expression.unicodeScalars.map {
                    $0 == "*" ? star : $0 == "?" ? question : $0
                }))
        _ = try HostGrammarQuery.nodeSet(masked, position: position, in: query)
        var result = NodeSet()
        var pendingOperator: Unicode.Scalar = ","
        var termStart = masked.unicodeScalars.startIndex
        var bracketDepth = 0
        let scalars = masked.unicodeScalars
        var index = scalars.startIndex
        while true {
            let atEnd = index == scalars.endIndex
            let scalar = atEnd ? "," : scalars[index]
            if !atEnd, scalar == "[" { bracketDepth += 1 }
            if !atEnd, scalar == "]" { bracketDepth -= 1 }
            if atEnd || (bracketDepth == 0 && ",!&^".unicodeScalars.contains(scalar)) {
                let term = String(scalars[termStart..<index])
                let offset = position + scalars.distance(from: scalars.startIndex, to: termStart)
                let termHosts = try HostGrammarQuery.nodeSet(term, position: offset, in: query)
                let operand: NodeSet
                if term.unicodeScalars.contains(star) || term.unicodeScalars.contains(question) {
                    let masks = termHosts.nodes.map { node in
                        Array(node.unicodeScalars.map { $0 == star ? "*" : $0 == question ? "?" : $0 })
                    }
                    operand = NodeSet(
                        nodes: names.filter { name in
                            let candidate = Array(name.unicodeScalars)
                            return masks.contains { Self.glob($0, matches: candidate) }
                        })
                } else {
                    operand = termHosts
                }
                switch pendingOperator {
                case "!": result = result.subtracting(operand)
                case "&": result = result.intersection(operand)
                case "^": result = result.symmetricDifference(operand)
                default: result = result.union(operand)
                }
                if atEnd { break }
                pendingOperator = scalar
                termStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        return result
    }

    private static let placeholderLetters = Array("ZQXJKVWYzqxjkvwyBCDFGHLMNPRSTbcdfghlmnprstAEIOUaeiou".unicodeScalars)

    /// `fnmatch` of a mask made of literal scalars, `*` (any run) and `?` (any one scalar).
    static func glob(_ mask: [Unicode.Scalar], matches name: [Unicode.Scalar]) -> Bool {
        var maskIndex = 0
        var nameIndex = 0
        var starMask: Int?
        var starName = 0
        while nameIndex < name.count {
            if maskIndex < mask.count, mask[maskIndex] == "*" {
                starMask = maskIndex
                starName = nameIndex
                maskIndex += 1
            } else if maskIndex < mask.count, mask[maskIndex] == "?" || mask[maskIndex] == name[nameIndex] {
                maskIndex += 1
                nameIndex += 1
            } else if let star = starMask {
                maskIndex = star + 1
                starName += 1
                nameIndex = starName
            } else {
                return false
            }
        }
        while maskIndex < mask.count, mask[maskIndex] == "*" { maskIndex += 1 }
        return maskIndex == mask.count
    }
}
