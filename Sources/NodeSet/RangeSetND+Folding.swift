/// n-D folding: ClusterShell 1.9.3 `RangeSetND` multivariate vector merging.
///
/// ClusterShell folds a dirty vector list either "univariately" (all vectors differ on one axis only, giving
/// one box) or by expanding it to points and merging them pass after pass. Both paths give the same vectors
/// for a given point set (a box always merges back into one vector), so folding here starts from the points:
/// boxes are recognised directly, everything else goes through the same sort-and-merge passes.
extension RangeSetND {
    /// The folded vectors in ClusterShell order; each vector holds one sorted index list per axis.
    func foldedVectors() -> [[[NodeIndex]]] {
        if let box { return [box.map(NodeIndex.sorted)] }
        if points.isEmpty { return [] }
        var axes = [Set<NodeIndex>](repeating: [], count: dimension)
        for point in points {
            for axis in 0..<dimension { axes[axis].insert(point[axis]) }
        }
        var product = 1
        for axis in axes {
            let (next, overflow) = product.multipliedReportingOverflow(by: axis.count)
            product = overflow ? Int.max : next
        }
        if product == points.count { return [axes.map(NodeIndex.sorted)] }
        var merger = VectorMerger(points: points, dimension: dimension)
        return merger.run()
    }
}

/// The merge passes of `RangeSetND._fold_multivariate_merge`, on interned index sets.
private struct VectorMerger {
    let dimension: Int
    /// Interned index sets, each sorted in ClusterShell order.
    var sets: [[NodeIndex]] = []
    var setIDs: [[NodeIndex]: Int32] = [:]
    var setCount: [Int] = []
    var setFirstRank: [Int] = []
    var setLastRank: [Int] = []
    /// Rank of each index in Python string order (used by the sort key).
    var textRank: [NodeIndex: Int] = [:]
    /// Vector list, `dimension` set ids per vector.
    var vectors: [Int32] = []

    init(points: Set<[NodeIndex]>, dimension: Int) {
        self.dimension = dimension
        var distinct = Set<NodeIndex>()
        for point in points { distinct.formUnion(point) }
        let byText = distinct.map { ($0, $0.text) }.sorted { $0.1.lexicographicallyPrecedes($1.1) }
        textRank.reserveCapacity(byText.count)
        for (rank, entry) in byText.enumerated() { textRank[entry.0] = rank }
        vectors.reserveCapacity(points.count * dimension)
        for point in points {
            for index in point { vectors.append(intern([index])) }
        }
    }

    mutating func intern(_ set: [NodeIndex]) -> Int32 {
        if let id = setIDs[set] { return id }
        let id = Int32(sets.count)
        sets.append(set)
        setIDs[set] = id
        setCount.append(set.count)
        setFirstRank.append(textRank[set[0]] ?? 0)
        setLastRank.append(textRank[set[set.count - 1]] ?? 0)
        return id
    }

    mutating func run() -> [[[NodeIndex]]] {
        var full = false
        var changed = true
        while changed {
            changed = false
            sortVectors()
            changed = full ? fullPass() : quickPass()
            if !changed && !full {
                changed = true
                full = true
            }
        }
        var result: [[[NodeIndex]]] = []
        let total = vectors.count / dimension
        result.reserveCapacity(total)
        for vector in 0..<total {
            result.append((0..<dimension).map { sets[Int(vectors[vector * dimension + $0])] })
        }
        return result
    }

    /// Stable sort by (-size, then per axis (-count, first index text, last index text)).
    mutating func sortVectors() {
        let total = vectors.count / dimension
        let dimension = self.dimension
        var sizes = [Int](repeating: 1, count: total)
        for vector in 0..<total {
            var size = 1
            for axis in 0..<dimension { size &*= setCount[Int(vectors[vector * dimension + axis])] }
            sizes[vector] = size
        }
        let order = (0..<total).sorted { lhs, rhs in
            if sizes[lhs] != sizes[rhs] { return sizes[lhs] > sizes[rhs] }
            for axis in 0..<dimension {
                let left = Int(vectors[lhs * dimension + axis])
                let right = Int(vectors[rhs * dimension + axis])
                if left == right { continue }
                if setCount[left] != setCount[right] { return setCount[left] > setCount[right] }
                if setFirstRank[left] != setFirstRank[right] { return setFirstRank[left] < setFirstRank[right] }
                if setLastRank[left] != setLastRank[right] { return setLastRank[left] < setLastRank[right] }
            }
            return lhs < rhs
        }
        var sorted: [Int32] = []
        sorted.reserveCapacity(vectors.count)
        for vector in order {
            sorted.append(contentsOf: vectors[(vector * dimension)..<((vector + 1) * dimension)])
        }
        vectors = sorted
    }

    /// Tries to merge the vector at `second` in `secondStorage` into the one at `first` in `firstStorage`;
    /// returns the axis that changes and its new set.
    mutating func merge(
        _ firstStorage: [Int32], _ first: Int, _ secondStorage: [Int32], _ second: Int
    ) -> (axis: Int, set: Int32)? {
        var differingAxis = -1
        for axis in 0..<dimension where firstStorage[first + axis] != secondStorage[second + axis] {
            if differingAxis >= 0 { return nil }
            differingAxis = axis
        }
        if differingAxis < 0 { return (0, firstStorage[first]) }
        let leftID = firstStorage[first + differingAxis]
        let rightID = secondStorage[second + differingAxis]
        let left = sets[Int(leftID)]
        let right = sets[Int(rightID)]
        let leftSet = Set(left)
        let common = right.reduce(0) { $0 + (leftSet.contains($1) ? 1 : 0) }
        if common == 0 {
            return (differingAxis, intern((left + right).sorted()))
        }
        if common == right.count { return (differingAxis, leftID) }
        if common == left.count { return (differingAxis, rightID) }
        return nil
    }

    /// Non-exhaustive pass: each vector absorbs its successors until one does not merge.
    mutating func quickPass() -> Bool {
        let total = vectors.count / dimension
        guard total > 1 else { return false }
        var output: [Int32] = []
        output.reserveCapacity(vectors.count)
        var current = Array(vectors[0..<dimension])
        var changed = false
        for vector in 1..<total {
            if let merged = merge(current, 0, vectors, vector * dimension) {
                current[merged.axis] = merged.set
                changed = true
            } else {
                output.append(contentsOf: current)
                for axis in 0..<dimension { current[axis] = vectors[vector * dimension + axis] }
            }
        }
        output.append(contentsOf: current)
        vectors = output
        return changed
    }

    /// Exhaustive pass: each vector absorbs every later vector it can merge with.
    mutating func fullPass() -> Bool {
        let total = vectors.count / dimension
        guard total > 1 else { return false }
        var alive = [Bool](repeating: true, count: total)
        var storage = vectors
        var changed = false
        for first in 0..<total where alive[first] {
            for second in (first + 1)..<total where alive[second] {
                if let merged = merge(storage, first * dimension, storage, second * dimension) {
                    storage[first * dimension + merged.axis] = merged.set
                    alive[second] = false
                    changed = true
                }
            }
        }
        var output: [Int32] = []
        output.reserveCapacity(storage.count)
        for vector in 0..<total where alive[vector] {
            output.append(contentsOf: storage[(vector * dimension)..<((vector + 1) * dimension)])
        }
        vectors = output
        return changed
    }
}
