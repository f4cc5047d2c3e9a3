/// Temporary minimal implementation (API only); replaced by the full ClusterShell-compatible version.
public struct NodeSet: Sendable, Hashable, Sequence, CustomStringConvertible {
    private var storage: Set<String> = []

    /// Creates an empty node set.
    public init() {}

    /// Parses a ClusterShell node set expression.
    public init(_ expression: String) throws(NodeSetParseError) {
        for part in expression.split(separator: ",") {
            let trimmed = String(part).trimmingCharacters(in: " ")
            if trimmed.isEmpty {
                throw NodeSetParseError(
                    message: "missing nodeset operand with ',' operator", expression: expression, position: 0, token: ",")
            }
            storage.insert(trimmed)
        }
    }

    /// Creates a node set from literal node names.
    public init<S: Sequence>(nodes: S) where S.Element == String {
        storage = Set(nodes)
    }

    /// Number of nodes.
    public var count: Int { storage.count }
    /// Whether the set is empty.
    public var isEmpty: Bool { storage.isEmpty }
    /// Whether the literal node name is a member.
    public func contains(_ node: String) -> Bool { storage.contains(node) }
    /// Folded representation.
    public var description: String { nodes.joined(separator: ",") }
    /// Expanded node names in iteration order.
    public var nodes: [String] { storage.sorted() }
    /// Iterator over node names.
    public func makeIterator() -> IndexingIterator<[String]> { nodes.makeIterator() }
    /// Union.
    public func union(_ other: NodeSet) -> NodeSet { var copy = self; copy.formUnion(other); return copy }
    /// Intersection.
    public func intersection(_ other: NodeSet) -> NodeSet { var copy = self; copy.formIntersection(other); return copy }
    /// Difference.
    public func subtracting(_ other: NodeSet) -> NodeSet { var copy = self; copy.subtract(other); return copy }
    /// Symmetric difference.
    public func symmetricDifference(_ other: NodeSet) -> NodeSet {
        var copy = self
        copy.formSymmetricDifference(other)
        return copy
    }
    /// In-place union.
    public mutating func formUnion(_ other: NodeSet) { storage.formUnion(other.storage) }
    /// In-place intersection.
    public mutating func formIntersection(_ other: NodeSet) { storage.formIntersection(other.storage) }
    /// In-place difference.
    public mutating func subtract(_ other: NodeSet) { storage.subtract(other.storage) }
    /// In-place symmetric difference.
    public mutating func formSymmetricDifference(_ other: NodeSet) { storage.formSymmetricDifference(other.storage) }
    /// Inserts one literal node name.
    public mutating func insert(_ node: String) { storage.insert(node) }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var slice = Substring(self)
        while slice.first == set { slice.removeFirst() }
        while slice.last == set { slice.removeLast() }
        return String(slice)
    }
}
