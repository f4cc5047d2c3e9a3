/// Splits one literal node name into its pattern and indexes (ClusterShell's `(\D*)(\d*)` scan).
struct LiteralScanner {
    /// Indexes of the last scanned name, one per `%s` of its pattern.
    var indexes: [NodeIndex] = []
    private var patternBytes: [UInt8] = []
    private var lastPattern: NodePattern?

    enum Outcome {
        case scanned(NodePattern)
        case empty
        /// A digit run with more than 18 significant digits (byte range of the run).
        case indexTooLarge(Range<Int>)
    }

    /// Scans a literal name (trimmed); `nil` for an empty name. Over-long digit runs stay literal text.
    mutating func scan(_ node: String) -> NodePattern? {
        var node = node
        let outcome = node.withUTF8 { buffer in
            var lower = 0
            var upper = buffer.count
            while lower < upper, ByteScanning.isSpace(buffer[lower]) { lower += 1 }
            while upper > lower, ByteScanning.isSpace(buffer[upper - 1]) { upper -= 1 }
            return scan(buffer, lower..<upper, longRunsAsText: true)
        }
        if case .scanned(let pattern) = outcome { return pattern }
        return nil
    }

    /// Scans `range` of `bytes` without trimming.
    mutating func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, longRunsAsText: Bool
    ) -> Outcome {
        guard !range.isEmpty else { return .empty }
        if let lastPattern, matches(lastPattern, bytes, range) { return .scanned(lastPattern) }
        patternBytes.removeAll(keepingCapacity: true)
        indexes.removeAll(keepingCapacity: true)
        var position = range.lowerBound
        let end = range.upperBound
        while position < end {
            let byte = bytes[position]
            if !ByteScanning.isDigit(byte) {
                patternBytes.append(byte)
                if byte == UInt8(ascii: "%") { patternBytes.append(byte) }
                position += 1
                continue
            }
            let runStart = position
            var value = 0
            var significant = 0
            while position < end, ByteScanning.isDigit(bytes[position]) {
                let digit = Int(bytes[position] &- UInt8(ascii: "0"))
                if significant > 0 || digit != 0 { significant += 1 }
                if significant <= 18 { value = value * 10 + digit }
                position += 1
            }
            if significant > 18 {
                if !longRunsAsText { return .indexTooLarge(runStart..<position) }
                for offset in runStart..<position { patternBytes.append(bytes[offset]) }
                continue
            }
            patternBytes.append(UInt8(ascii: "%"))
            patternBytes.append(UInt8(ascii: "s"))
            indexes.append(NodeIndex(value: value, width: position - runStart))
        }
        if let lastPattern, lastPattern.bytes == patternBytes { return .scanned(lastPattern) }
        let pattern = NodePattern(bytes: patternBytes, dimension: indexes.count)
        lastPattern = pattern
        return .scanned(pattern)
    }

    /// Fast path for runs of names sharing a pattern: checks the name against `pattern` while reading its
    /// indexes, without building a new pattern.
    private mutating func matches(
        _ pattern: NodePattern, _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>
    ) -> Bool {
        indexes.removeAll(keepingCapacity: true)
        return pattern.bytes.withUnsafeBufferPointer { skeleton in
            let percent = UInt8(ascii: "%")
            var position = range.lowerBound
            var cursor = 0
            while position < range.upperBound {
                let byte = bytes[position]
                if ByteScanning.isDigit(byte) {
                    guard cursor + 1 < skeleton.count, skeleton[cursor] == percent,
                        skeleton[cursor + 1] == UInt8(ascii: "s")
                    else { return false }
                    let runStart = position
                    var value = 0
                    var significant = 0
                    while position < range.upperBound, ByteScanning.isDigit(bytes[position]) {
                        let digit = Int(bytes[position] &- UInt8(ascii: "0"))
                        if significant > 0 || digit != 0 { significant += 1 }
                        if significant > 18 { return false }
                        value = value * 10 + digit
                        position += 1
                    }
                    indexes.append(NodeIndex(value: value, width: position - runStart))
                    cursor += 2
                } else {
                    guard cursor < skeleton.count, skeleton[cursor] == byte else { return false }
                    if byte == percent {
                        guard cursor + 1 < skeleton.count, skeleton[cursor + 1] == percent else { return false }
                        cursor += 2
                    } else {
                        cursor += 1
                    }
                    position += 1
                }
            }
            return cursor == skeleton.count
        }
    }
}
