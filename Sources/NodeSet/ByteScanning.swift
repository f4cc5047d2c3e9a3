/// Byte-level helpers mirroring the Python string methods ClusterShell relies on.
enum ByteScanning {
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")

    /// Whitespace as Python's `str.strip()` sees it in the ASCII range.
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        (byte >= 0x09 && byte <= 0x0D) || (byte >= 0x1C && byte <= 0x20)
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    @inline(__always)
    static func isOperator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "!") || byte == UInt8(ascii: "&")
            || byte == UInt8(ascii: "^")
    }

    static func stripped(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        rightStripped(bytes, leftStripped(bytes, range))
    }

    static func leftStripped(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        while lower < range.upperBound, isSpace(bytes[lower]) { lower += 1 }
        return lower..<range.upperBound
    }

    static func rightStripped(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var upper = range.upperBound
        while upper > range.lowerBound, isSpace(bytes[upper - 1]) { upper -= 1 }
        return range.lowerBound..<upper
    }

    static func firstIndex(of byte: UInt8, in bytes: [UInt8], _ range: Range<Int>) -> Int? {
        var position = range.lowerBound
        while position < range.upperBound {
            if bytes[position] == byte { return position }
            position += 1
        }
        return nil
    }

    static func firstOperator(in bytes: [UInt8], _ range: Range<Int>) -> Int? {
        var position = range.lowerBound
        while position < range.upperBound {
            if isOperator(bytes[position]) { return position }
            position += 1
        }
        return nil
    }

    /// Splits like Python's `str.split(separator)` (empty pieces kept).
    static func split(_ bytes: [UInt8], _ range: Range<Int>, on separator: UInt8) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var start = range.lowerBound
        var position = range.lowerBound
        while position < range.upperBound {
            if bytes[position] == separator {
                pieces.append(start..<position)
                start = position + 1
            }
            position += 1
        }
        pieces.append(start..<range.upperBound)
        return pieces
    }

    /// Result of Python's `int()` on a piece of text.
    enum IntegerParse {
        case value(Int)
        case invalid
        case tooLarge
    }

    /// Python `int(text)`: surrounding whitespace, an optional sign, digits with single `_` separators.
    static func pythonInt(_ bytes: [UInt8], _ range: Range<Int>) -> IntegerParse {
        let text = stripped(bytes, range)
        var position = text.lowerBound
        guard position < text.upperBound else { return .invalid }
        var negative = false
        if bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
            negative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        var value = 0
        var sawDigit = false
        var previousWasUnderscore = false
        var overflow = false
        while position < text.upperBound {
            let byte = bytes[position]
            if isDigit(byte) {
                if value > (NodeIndex.maximumValue - Int(byte - UInt8(ascii: "0"))) / 10 {
                    overflow = true
                } else {
                    value = value * 10 + Int(byte - UInt8(ascii: "0"))
                }
                sawDigit = true
                previousWasUnderscore = false
            } else if byte == UInt8(ascii: "_"), sawDigit, !previousWasUnderscore {
                previousWasUnderscore = true
            } else {
                return .invalid
            }
            position += 1
        }
        guard sawDigit, !previousWasUnderscore else { return .invalid }
        if overflow { return .tooLarge }
        return .value(negative ? -value : value)
    }
}
