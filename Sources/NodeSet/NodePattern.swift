/// The non-numeric skeleton of node names, with `%s` for each index axis and `%%` for a literal `%`,
/// exactly as ClusterShell stores it; patterns sort as Python strings (code point order = UTF-8 byte order).
struct NodePattern: Hashable, Comparable, Sendable {
    var bytes: [UInt8]
    var dimension: Int

    init(bytes: [UInt8], dimension: Int) {
        self.bytes = bytes
        self.dimension = dimension
    }

    static func == (lhs: NodePattern, rhs: NodePattern) -> Bool { lhs.bytes == rhs.bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func < (lhs: NodePattern, rhs: NodePattern) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// Renders the pattern, calling `axis(i, &buffer)` for the i-th `%s`.
    func render(into buffer: inout [UInt8], axis: (Int, inout [UInt8]) -> Void) {
        var position = 0
        var axisNumber = 0
        let count = bytes.count
        while position < count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "%"), position + 1 < count {
                if bytes[position + 1] == UInt8(ascii: "s") {
                    axis(axisNumber, &buffer)
                    axisNumber += 1
                } else {
                    buffer.append(bytes[position + 1])
                }
                position += 2
            } else {
                buffer.append(byte)
                position += 1
            }
        }
    }
}
