/// One pattern of a node set in folded form, in ClusterShell iteration order.
struct FoldedPattern: Sendable {
    enum Indexes: Sendable {
        case none
        case single([NodeIndex])
        case vectors([[[NodeIndex]]])
    }

    var pattern: NodePattern
    var indexes: Indexes
}

extension NodeSet {
    /// Patterns sorted as Python strings, 1-D indexes sorted, n-D sets folded into vectors.
    var folded: [FoldedPattern] {
        memo.folded {
            entries.keys.sorted().map { pattern in
                let entry = entries[pattern] ?? PatternEntry(dimension: pattern.dimension)
                switch pattern.dimension {
                case 0: return FoldedPattern(pattern: pattern, indexes: .none)
                case 1: return FoldedPattern(pattern: pattern, indexes: .single(NodeIndex.sorted(entry.indexes)))
                default:
                    return FoldedPattern(pattern: pattern, indexes: .vectors(entry.vectors?.foldedVectors() ?? []))
                }
            }
        }
    }

    /// The folded form, byte for byte what ClusterShell 1.9.3 `str(NodeSet)` prints; `""` when empty.
    ///
    /// Example: `host[1-3,5],rack1-node[1-2]`. Consecutive indexes of equal padding become `a-b`, steps are
    /// never used, n-D sets print one bracketed vector per folded vector.
    public var description: String {
        var buffer: [UInt8] = []
        var isFirst = true
        func separate() {
            if !isFirst { buffer.append(UInt8(ascii: ",")) }
            isFirst = false
        }
        for item in folded {
            switch item.indexes {
            case .none:
                separate()
                item.pattern.render(into: &buffer) { _, _ in }
            case .single(let indexes):
                separate()
                item.pattern.render(into: &buffer) { _, out in NodeSet.appendAxis(indexes, to: &out) }
            case .vectors(let vectors):
                for vector in vectors {
                    separate()
                    item.pattern.render(into: &buffer) { axis, out in NodeSet.appendAxis(vector[axis], to: &out) }
                }
            }
        }
        return String(decoding: buffer, as: UTF8.self)
    }

    private static func appendAxis(_ indexes: [NodeIndex], to buffer: inout [UInt8]) {
        if indexes.count > 1 {
            buffer.append(ByteScanning.openBracket)
            RangeSet.appendFolded(indexes, to: &buffer)
            buffer.append(ByteScanning.closeBracket)
        } else {
            RangeSet.appendFolded(indexes, to: &buffer)
        }
    }

    /// Every node name, in ClusterShell iteration order: patterns sorted as strings, 1-D indexes by
    /// `(length, text)`, n-D vectors in folded order each expanded as a Cartesian product.
    public var nodes: [String] {
        var result: [String] = []
        result.reserveCapacity(count)
        var buffer: [UInt8] = []
        func emit(_ pattern: NodePattern, _ axis: (Int, inout [UInt8]) -> Void) {
            buffer.removeAll(keepingCapacity: true)
            pattern.render(into: &buffer, axis: axis)
            result.append(String(decoding: buffer, as: UTF8.self))
        }
        for item in folded {
            switch item.indexes {
            case .none:
                emit(item.pattern) { _, _ in }
            case .single(let indexes):
                for index in indexes { emit(item.pattern) { _, out in index.append(to: &out) } }
            case .vectors(let vectors):
                for vector in vectors {
                    var cursor = [Int](repeating: 0, count: vector.count)
                    var done = vector.contains(where: \.isEmpty)
                    while !done {
                        emit(item.pattern) { axis, out in vector[axis][cursor[axis]].append(to: &out) }
                        var axis = vector.count - 1
                        while axis >= 0 {
                            cursor[axis] += 1
                            if cursor[axis] < vector[axis].count { break }
                            cursor[axis] = 0
                            axis -= 1
                        }
                        done = axis < 0
                    }
                }
            }
        }
        return result
    }

    /// Iterates over the node names in ClusterShell order (see ``nodes``).
    public func makeIterator() -> IndexingIterator<[String]> {
        nodes.makeIterator()
    }
}
