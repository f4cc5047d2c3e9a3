/// Set algebra, pattern by pattern, as ClusterShell's `NodeSetBase` does it.
extension NodeSet {
    /// Returns the nodes in either set (`,` in expressions).
    public func union(_ other: NodeSet) -> NodeSet {
        var copy = self
        copy.formUnion(other)
        return copy
    }

    /// Returns the nodes in both sets (`&` in expressions).
    public func intersection(_ other: NodeSet) -> NodeSet {
        var copy = self
        copy.formIntersection(other)
        return copy
    }

    /// Returns the nodes of this set that are not in `other` (`!` in expressions).
    public func subtracting(_ other: NodeSet) -> NodeSet {
        var copy = self
        copy.subtract(other)
        return copy
    }

    /// Returns the nodes in exactly one of the two sets (`^` in expressions).
    public func symmetricDifference(_ other: NodeSet) -> NodeSet {
        var copy = self
        copy.formSymmetricDifference(other)
        return copy
    }

    /// Adds the nodes of `other`.
    public mutating func formUnion(_ other: NodeSet) {
        if other.isEmpty { return }
        if isEmpty {
            self = other
            return
        }
        invalidateFolding()
        for (pattern, theirs) in other.entries {
            switch pattern.dimension {
            case 0:
                if entries[pattern] == nil { entries[pattern] = theirs }
            case 1:
                entries[pattern, default: PatternEntry(dimension: 1)].indexes.formUnion(theirs.indexes)
            default:
                guard let vectors = theirs.vectors else { continue }
                entries[pattern, default: PatternEntry(dimension: pattern.dimension)].vectors?.formUnion(vectors)
            }
        }
    }

    /// Keeps only the nodes also in `other`.
    public mutating func formIntersection(_ other: NodeSet) {
        invalidateFolding()
        var kept: [NodePattern: PatternEntry] = [:]
        for (pattern, mine) in entries {
            guard let theirs = other.entries[pattern] else { continue }
            var entry = mine
            switch pattern.dimension {
            case 0: break
            case 1: entry.indexes.formIntersection(theirs.indexes)
            default:
                if let vectors = theirs.vectors { entry.vectors?.formIntersection(vectors) }
            }
            if !entry.isEmpty(dimension: pattern.dimension) { kept[pattern] = entry }
        }
        entries = kept
    }

    /// Removes the nodes of `other`.
    public mutating func subtract(_ other: NodeSet) {
        if other.isEmpty || isEmpty { return }
        invalidateFolding()
        for (pattern, theirs) in other.entries where entries[pattern] != nil {
            switch pattern.dimension {
            case 0:
                entries[pattern] = nil
                continue
            case 1:
                entries[pattern]?.indexes.subtract(theirs.indexes)
            default:
                if let vectors = theirs.vectors { entries[pattern]?.vectors?.subtract(vectors) }
            }
            if entries[pattern]?.isEmpty(dimension: pattern.dimension) ?? false { entries[pattern] = nil }
        }
    }

    /// Keeps the nodes that are in exactly one of the two sets.
    public mutating func formSymmetricDifference(_ other: NodeSet) {
        if other.isEmpty { return }
        if isEmpty {
            self = other
            return
        }
        invalidateFolding()
        for (pattern, theirs) in other.entries {
            guard entries[pattern] != nil else {
                entries[pattern] = theirs
                continue
            }
            switch pattern.dimension {
            case 0:
                entries[pattern] = nil
                continue
            case 1:
                entries[pattern]?.indexes.formSymmetricDifference(theirs.indexes)
            default:
                if let vectors = theirs.vectors { entries[pattern]?.vectors?.formSymmetricDifference(vectors) }
            }
            if entries[pattern]?.isEmpty(dimension: pattern.dimension) ?? false { entries[pattern] = nil }
        }
    }

    /// Whether every node of this set is in `other`.
    public func isSubset(of other: NodeSet) -> Bool {
        subtracting(other).isEmpty
    }

    /// Whether every node of `other` is in this set.
    public func isSuperset(of other: NodeSet) -> Bool {
        other.subtracting(self).isEmpty
    }
}
