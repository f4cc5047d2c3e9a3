/// A set of n-dimensional index vectors (n ≥ 2) for one node pattern.
///
/// Parsed terms such as `rack[1-4]-node[1-8]` stay a compact box (the Cartesian product of one index set
/// per axis); anything else is kept as an explicit set of points. The folded form does not depend on how
/// the set was built (see `NodeSet+Folding.swift`), so only membership is stored here.
struct RangeSetND: Sendable {
    let dimension: Int
    private(set) var box: [Set<NodeIndex>]?
    private(set) var points: Set<[NodeIndex]>

    init(dimension: Int) {
        self.dimension = dimension
        box = nil
        points = []
    }

    init(box axes: [Set<NodeIndex>]) {
        dimension = axes.count
        if axes.contains(where: \.isEmpty) {
            box = nil
        } else {
            box = axes
        }
        points = []
    }

    var count: Int {
        if let box { return box.reduce(1) { $0 * $1.count } }
        return points.count
    }

    var isEmpty: Bool { box == nil && points.isEmpty }

    func contains(_ point: [NodeIndex]) -> Bool {
        guard point.count == dimension else { return false }
        if let box {
            for axis in 0..<dimension where !box[axis].contains(point[axis]) { return false }
            return true
        }
        return points.contains(point)
    }

    /// Calls `body` for every point.
    func forEachPoint(_ body: ([NodeIndex]) -> Void) {
        guard let box else {
            for point in points { body(point) }
            return
        }
        let axes = box.map { Array($0) }
        var cursor = [Int](repeating: 0, count: dimension)
        var point = axes.map { $0[0] }
        while true {
            body(point)
            var axis = dimension - 1
            while axis >= 0 {
                cursor[axis] += 1
                if cursor[axis] < axes[axis].count {
                    point[axis] = axes[axis][cursor[axis]]
                    break
                }
                cursor[axis] = 0
                point[axis] = axes[axis][0]
                axis -= 1
            }
            if axis < 0 { return }
        }
    }

    private mutating func materialize() {
        guard box != nil else { return }
        var expanded = Set<[NodeIndex]>(minimumCapacity: count)
        forEachPoint { expanded.insert($0) }
        box = nil
        points = expanded
    }

    mutating func insert(_ point: [NodeIndex]) {
        if contains(point) { return }
        materialize()
        points.insert(point)
    }

    mutating func formUnion(_ other: RangeSetND) {
        if other.isEmpty { return }
        if isEmpty {
            self = other
            return
        }
        if let mine = box, let theirs = other.box {
            var differing: [Int] = []
            for axis in 0..<dimension where mine[axis] != theirs[axis] { differing.append(axis) }
            if differing.isEmpty { return }
            if differing.count == 1 {
                var merged = mine
                merged[differing[0]].formUnion(theirs[differing[0]])
                box = merged
                return
            }
            if (0..<dimension).allSatisfy({ mine[$0].isSuperset(of: theirs[$0]) }) { return }
            if (0..<dimension).allSatisfy({ theirs[$0].isSuperset(of: mine[$0]) }) {
                self = other
                return
            }
        }
        materialize()
        if other.box == nil {
            points.formUnion(other.points)
        } else {
            other.forEachPoint { points.insert($0) }
        }
    }

    mutating func formIntersection(_ other: RangeSetND) {
        if let mine = box, let theirs = other.box {
            self = RangeSetND(box: (0..<dimension).map { mine[$0].intersection(theirs[$0]) })
            return
        }
        let (small, large) = count <= other.count ? (self, other) : (other, self)
        var kept = Set<[NodeIndex]>()
        small.forEachPoint { if large.contains($0) { kept.insert($0) } }
        box = nil
        points = kept
    }

    mutating func subtract(_ other: RangeSetND) {
        if other.isEmpty || isEmpty { return }
        if let mine = box, let theirs = other.box {
            if (0..<dimension).contains(where: { mine[$0].isDisjoint(with: theirs[$0]) }) { return }
            if (0..<dimension).allSatisfy({ theirs[$0].isSuperset(of: mine[$0]) }) {
                self = RangeSetND(dimension: dimension)
                return
            }
        }
        if box == nil, other.count < points.count {
            other.forEachPoint { points.remove($0) }
            return
        }
        var kept = Set<[NodeIndex]>()
        forEachPoint { if !other.contains($0) { kept.insert($0) } }
        box = nil
        points = kept
    }

    mutating func formSymmetricDifference(_ other: RangeSetND) {
        var onlyTheirs = other
        onlyTheirs.subtract(self)
        subtract(other)
        formUnion(onlyTheirs)
    }

    static func == (lhs: RangeSetND, rhs: RangeSetND) -> Bool {
        if let left = lhs.box, let right = rhs.box { return left == right }
        guard lhs.count == rhs.count else { return false }
        var equal = true
        lhs.forEachPoint { if equal, !rhs.contains($0) { equal = false } }
        return equal
    }
}
