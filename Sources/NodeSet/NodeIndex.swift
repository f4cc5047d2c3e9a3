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

    /// True when the text starts with a `0` and is longer than one character (`00`, `007`).
    var isPadded: Bool { value >= 0 && width > NodeIndex.digitCount(value.magnitude) }

    /// ClusterShell order: negatives first (longest text first, then by value), then `(length, text)`.
    static func < (lhs: NodeIndex, rhs: NodeIndex) -> Bool {
        let lhsNegative = lhs.value < 0
        if lhsNegative != (rhs.value < 0) { return lhsNegative }
        if lhs.width != rhs.width { return lhsNegative ? lhs.width > rhs.width : lhs.width < rhs.width }
        return lhs.value < rhs.value
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
