/// One index of a node name axis, kept with its exact textual width so that `1`, `01` and `001` stay distinct.
///
/// Non-negative indexes render as `value` zero-padded to `width` characters; negative ones (only produced by
/// ranges such as `[-3--1]`) render as `-` followed by the digits, never padded.
struct NodeIndex: Hashable, Comparable, Sendable {
    /// Largest absolute value an index may have (18 decimal digits).
    static let maximumValue = 999_999_999_999_999_999

    var value: Int
    var width: Int

    init(value: Int, width: Int) {
        self.value = value
        self.width = width
    }

    /// The index `"%0*d" % (pad, value)` would produce.
    init(value: Int, padding: Int) {
        self.value = value
        let digits = NodeIndex.digitCount(value.magnitude)
        width = value < 0 ? digits + 1 : max(padding, digits)
    }

    static func digitCount(_ value: UInt) -> Int {
        var count = 1
        var rest = value / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        return count
    }

    static func == (lhs: NodeIndex, rhs: NodeIndex) -> Bool {
        lhs.value == rhs.value && lhs.width == rhs.width
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(value)
        hasher.combine(width)
    }

    /// Cheap seeded mix used by `Set`/`Dictionary` buckets; SipHash per index dominated bulk folding.
    func _rawHashValue(seed: Int) -> Int {
        var mixed = UInt64(bitPattern: Int64(value)) &+ (UInt64(truncatingIfNeeded: width) &<< 58)
        mixed ^= UInt64(bitPattern: Int64(seed))
        mixed = (mixed ^ (mixed &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed &>> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: mixed ^ (mixed &>> 31))
    }

    /// True when the text starts with a `0` and is longer than one character (`00`, `007`).
    var isPadded: Bool { value >= 0 && width > NodeIndex.digitCount(value.magnitude) }

    /// ClusterShell order: negatives first (longest text first, then by value), then `(length, text)`.
    static func < (lhs: NodeIndex, rhs: NodeIndex) -> Bool {
        let lhsNegative = lhs.value < 0
        if lhsNegative != (rhs.value < 0) { return lhsNegative }
        if lhs.width != rhs.width { return lhsNegative ? lhs.width > rhs.width : lhs.width < rhs.width }
        return lhs.value < rhs.value
    }

    private static let keyValueBits: UInt64 = 58
    private static let keyValueMask: UInt64 = (1 << 58) - 1
    private static let negativeBias: Int = 1 << 57

    /// A `UInt64` whose integer order is the ClusterShell order, when the index is small enough.
    var sortKey: UInt64? {
        guard width < 32, value.magnitude < UInt(NodeIndex.negativeBias) else { return nil }
        if value >= 0 {
            return (1 << 63) | (UInt64(width) << NodeIndex.keyValueBits) | UInt64(value)
        }
        return (UInt64(31 - width) << NodeIndex.keyValueBits) | UInt64(value + NodeIndex.negativeBias)
    }

    init(sortKey key: UInt64) {
        let widthBits = Int((key >> NodeIndex.keyValueBits) & 31)
        let payload = Int(key & NodeIndex.keyValueMask)
        if key >> 63 == 1 {
            self.init(value: payload, width: widthBits)
        } else {
            self.init(value: payload - NodeIndex.negativeBias, width: 31 - widthBits)
        }
    }

    /// Sorts indexes in ClusterShell order, through integer keys when they all fit.
    static func sorted(_ indexes: Set<NodeIndex>) -> [NodeIndex] {
        var keys: [UInt64] = []
        keys.reserveCapacity(indexes.count)
        for index in indexes {
            guard let key = index.sortKey else { return indexes.sorted() }
            keys.append(key)
        }
        radixSort(&keys)
        return keys.map { NodeIndex(sortKey: $0) }
    }

    /// LSD radix sort on bytes, skipping the byte positions where all keys agree.
    static func radixSort(_ keys: inout [UInt64]) {
        guard keys.count > 64 else {
            keys.sort()
            return
        }
        var varying: UInt64 = 0
        let first = keys[0]
        for key in keys { varying |= key ^ first }
        var scratch = [UInt64](repeating: 0, count: keys.count)
        var shift: UInt64 = 0
        while shift < 64 {
            if (varying >> shift) & 0xFF != 0 {
                var counts = [Int](repeating: 0, count: 257)
                for key in keys { counts[Int((key >> shift) & 0xFF) + 1] += 1 }
                for bucket in 1..<257 { counts[bucket] += counts[bucket - 1] }
                for key in keys {
                    let bucket = Int((key >> shift) & 0xFF)
                    scratch[counts[bucket]] = key
                    counts[bucket] += 1
                }
                swap(&keys, &scratch)
            }
            shift += 8
        }
    }

    /// Appends the textual form of the index.
    func append(to buffer: inout [UInt8]) {
        NodeIndex.appendFormatted(value, padding: value < 0 ? 0 : width, to: &buffer)
    }

    /// Appends `"%0*d" % (padding, value)`.
    static func appendFormatted(_ value: Int, padding: Int, to buffer: inout [UInt8]) {
        var digits: [UInt8] = []
        var rest = value.magnitude
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        let used = digits.count + (value < 0 ? 1 : 0)
        if padding > used {
            buffer.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: padding - used))
        }
        buffer.append(contentsOf: digits.reversed())
    }

    var text: [UInt8] {
        var buffer: [UInt8] = []
        append(to: &buffer)
        return buffer
    }
}
