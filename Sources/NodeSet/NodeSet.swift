import Synchronization

/// A set of cluster node names with ClusterShell 1.9.3 semantics: range syntax, set algebra, folding and
/// iteration order identical to `ClusterShell.NodeSet.NodeSet` (without node groups).
///
/// ```swift
/// let nodes = try NodeSet("rack[1-2]-node[1-2]!rack1-node1")
/// print(nodes)            // rack2-node[1-2],rack1-node2
/// print(nodes.count)      // 3
/// ```
///
/// Every maximal digit run of a name is an index axis and indexes are compared as text, so `host1`,
/// `host01` and `host001` are three different nodes. The set is a value type; building it from many names
/// (``init(nodes:)``, ``insert(_:)``) is amortised O(1) per name, and folding is computed once and cached.
///
/// Deliberate differences from ClusterShell: node groups (`@group`) and wildcards are not resolved (cumin
/// runs ClusterShell with `RESOLVER_NOGROUP`); an index may have at most 18 significant digits
/// (ClusterShell: 100); one bracket or term may produce at most ten million nodes (ClusterShell accepts up to
/// 10⁹ per range and runs out of memory); only ASCII digits and whitespace are recognised (Python also
/// accepts other Unicode digits and spaces).
public struct NodeSet: Sendable, Sequence, CustomStringConvertible {
    /// Nodes grouped by pattern (`host%s`, `rack%s-node%s`, `localhost`).
    var entries: [NodePattern: PatternEntry] = [:]
    /// Cached folded form, shared between copies until one of them changes.
    var memo = FoldMemo()

    /// Creates an empty node set.
    public init() {}

    /// Creates a node set from literal node names, such as those returned by a backend.
    ///
    /// Names are not parsed as expressions: brackets and operators are ordinary characters, surrounding
    /// whitespace is trimmed and empty names are ignored. A digit run longer than 18 significant digits is
    /// kept as literal text rather than as an index axis.
    /// - Parameter nodes: node names, e.g. `["db1001", "db1002"]`.
    public init<S: Sequence>(nodes: S) where S.Element == String {
        var scanner = LiteralScanner()
        // Consecutive names usually share a pattern: collect their indexes before touching the dictionary.
        var runPattern: NodePattern?
        var runIndexes = Set<NodeIndex>(minimumCapacity: nodes.underestimatedCount)
        func flush() {
            guard let pattern = runPattern, !runIndexes.isEmpty else { return }
            if entries[pattern] == nil {
                entries[pattern] = PatternEntry(indexes: runIndexes)
            } else {
                entries[pattern]?.indexes.formUnion(runIndexes)
            }
            runIndexes.removeAll(keepingCapacity: true)
        }
        for node in nodes {
            guard let pattern = scanner.scan(node) else { continue }
            if pattern.dimension == 1 {
                if pattern != runPattern {
                    flush()
                    runPattern = pattern
                }
                runIndexes.insert(scanner.indexes[0])
            } else {
                insert(pattern: pattern, indexes: scanner.indexes)
            }
        }
        flush()
    }

    /// The number of nodes.
    public var count: Int {
        var total = 0
        for (pattern, entry) in entries { total += entry.count(dimension: pattern.dimension) }
        return total
    }

    /// Whether the set has no node.
    public var isEmpty: Bool { entries.isEmpty }

    /// An estimate of the number of nodes (the exact count), for `Sequence` consumers.
    public var underestimatedCount: Int { count }

    /// Whether the literal node name `node` is a member of the set.
    public func contains(_ node: String) -> Bool {
        var scanner = LiteralScanner()
        guard let pattern = scanner.scan(node), let entry = entries[pattern] else { return false }
        switch pattern.dimension {
        case 0: return true
        case 1: return entry.indexes.contains(scanner.indexes[0])
        default: return entry.vectors?.contains(scanner.indexes) ?? false
        }
    }

    /// Inserts one literal node name (not an expression); whitespace around it is trimmed.
    public mutating func insert(_ node: String) {
        var scanner = LiteralScanner()
        insert(node, using: &scanner)
    }

    mutating func insert(_ node: String, using scanner: inout LiteralScanner) {
        guard let pattern = scanner.scan(node) else { return }
        insert(pattern: pattern, indexes: scanner.indexes)
    }

    private mutating func insert(pattern: NodePattern, indexes: [NodeIndex]) {
        invalidateFolding()
        switch pattern.dimension {
        case 0:
            if entries[pattern] == nil { entries[pattern] = PatternEntry(dimension: 0) }
        case 1:
            entries[pattern, default: PatternEntry(dimension: 1)].indexes.insert(indexes[0])
        default:
            entries[pattern, default: PatternEntry(dimension: pattern.dimension)].vectors?.insert(indexes)
        }
    }

    mutating func invalidateFolding() {
        if !isKnownUniquelyReferenced(&memo) || memo.isFilled {
            memo = FoldMemo()
        }
    }
}

/// The nodes of one pattern: nothing (a name without digits), a 1-D index set or an n-D vector set.
struct PatternEntry: Sendable {
    var indexes: Set<NodeIndex> = []
    var vectors: RangeSetND?

    init(dimension: Int) {
        vectors = dimension >= 2 ? RangeSetND(dimension: dimension) : nil
    }

    init(indexes: Set<NodeIndex>) {
        self.indexes = indexes
    }

    init(vectors: RangeSetND) {
        self.vectors = vectors
    }

    func count(dimension: Int) -> Int {
        switch dimension {
        case 0: return 1
        case 1: return indexes.count
        default: return vectors?.count ?? 0
        }
    }

    func isEmpty(dimension: Int) -> Bool {
        switch dimension {
        case 0: return false
        case 1: return indexes.isEmpty
        default: return vectors?.isEmpty ?? true
        }
    }
}

/// Lazily computed folded form of a node set; one instance is shared by unmodified copies.
final class FoldMemo: Sendable {
    private let state = Mutex<[FoldedPattern]?>(nil)

    var isFilled: Bool { state.withLock { $0 != nil } }

    func folded(_ compute: () -> [FoldedPattern]) -> [FoldedPattern] {
        if let cached = state.withLock({ $0 }) { return cached }
        let computed = compute()
        state.withLock { $0 = computed }
        return computed
    }
}

extension NodeSet: Hashable {
    /// Two node sets are equal when they contain the same nodes.
    public static func == (lhs: NodeSet, rhs: NodeSet) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for (pattern, left) in lhs.entries {
            guard let right = rhs.entries[pattern] else { return false }
            switch pattern.dimension {
            case 0: continue
            case 1: if left.indexes != right.indexes { return false }
            default:
                switch (left.vectors, right.vectors) {
                case (nil, nil): continue
                case (let l?, let r?): if !(l == r) { return false }
                default: return false
                }
            }
        }
        return true
    }

    /// Hashes the patterns and their node counts (consistent with `==`).
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for (pattern, entry) in entries {
            var inner = Hasher()
            inner.combine(pattern)
            inner.combine(entry.count(dimension: pattern.dimension))
            combined ^= inner.finalize()
        }
        hasher.combine(combined)
    }
}
