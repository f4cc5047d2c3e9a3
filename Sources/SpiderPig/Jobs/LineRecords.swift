/// The fast path for the commonest output of a job: scap's `line` records and plain lines, turned into the stored
/// payload `{"line":"...","sensitive":BOOL}` without a JSON parser round trip (a job may print 10,000 lines a
/// second). Anything else (other record types, nested values, surrogate escapes, malformed JSON) is left to the
/// general path, which parses with JSONSerialization.
enum LineRecords {
    /// The payload of `line` if it is a well-formed flat JSON object `{"iokey": key, "type": "line", "line": "...",
    /// "sensitive": BOOL?}` (any member order, other flat members ignored); nil otherwise. The line's text is kept
    /// as the JSON string it came as (its escapes checked), not decoded and encoded again.
    static func lineRecord(_ line: String, key: String) -> (payload: String, sensitive: Bool)? {
        var line = line
        return line.withUTF8 { bytes -> (payload: String, sensitive: Bool)? in
            var scanner = Scanner(bytes: bytes)
            guard let members = scanner.flatObject() else { return nil }
            var iokey: Range<Int>?
            var type: Range<Int>?
            var text: Range<Int>?
            var sensitive = false
            for member in members {
                switch member.name {
                case "iokey": iokey = member.string
                case "type": type = member.string
                case "line": text = member.string
                case "sensitive":
                    guard let flag = member.bool else { return nil }
                    sensitive = flag
                default: continue
                }
            }
            guard let iokey, let type, let text, equal(bytes, iokey, key), equal(bytes, type, "line") else {
                return nil
            }
            let quoted = String(decoding: UnsafeBufferPointer(rebasing: bytes[text]), as: UTF8.self)
            return (#"{"line":"\#(quoted)","sensitive":\#(sensitive)}"#, sensitive)
        }
    }

    /// The payload of a plain (not sensitive) line: `{"line":"<line escaped>","sensitive":false}`.
    static func plainPayload(_ line: String) -> String {
        #"{"line":"\#(escaped(line))","sensitive":false}"#
    }

    /// `text` escaped for the inside of a JSON string (quote, backslash and control characters).
    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            return text
        }
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count + 16)
        let hex = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ text: String) -> Bool {
        range.count == text.utf8.count && zip(bytes[range], text.utf8).allSatisfy { $0 == $1 }
    }

    /// A member of a flat object: its name (escape-free names only) and its value's kind.
    struct Member {
        var name: String
        /// The raw inside of a string value (between the quotes, escapes as written).
        var string: Range<Int>?
        var bool: Bool?
    }

    /// A strict scanner for one flat JSON object: string, number, true, false and null values only; a nested
    /// object or array, a raw control character, a bad escape or a surrogate escape make it give up (nil).
    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func flatObject() -> [Member]? {
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return nil }
            var members: [Member] = []
            skipSpace()
            if take(UInt8(ascii: "}")) { return end() ? members : nil }
            while members.count < 64 {
                skipSpace()
                guard let nameRange = string() else { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                var member = Member(
                    name: String(decoding: UnsafeBufferPointer(rebasing: bytes[nameRange]), as: UTF8.self))
                guard index < bytes.count else { return nil }
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard let value = string() else { return nil }
                    member.string = value
                case UInt8(ascii: "t"):
                    guard literal("true") else { return nil }
                    member.bool = true
                case UInt8(ascii: "f"):
                    guard literal("false") else { return nil }
                    member.bool = false
                case UInt8(ascii: "n"):
                    guard literal("null") else { return nil }
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    guard number() else { return nil }
                default:
                    return nil
                }
                members.append(member)
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                return end() ? members : nil
            }
            return nil
        }

        private mutating func end() -> Bool {
            skipSpace()
            return index == bytes.count
        }

        private mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        private mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }

        private mutating func number() -> Bool {
            let start = index
            scan: while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                    UInt8(ascii: "e"), UInt8(ascii: "E"):
                    index += 1
                default: break scan
                }
            }
            return index > start
        }

        /// A string: returns the range between its quotes.
        private mutating func string() -> Range<Int>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return start..<(index - 1)
                case UInt8(ascii: "\\"):
                    guard index + 1 < bytes.count else { return nil }
                    let escape = bytes[index + 1]
                    if escape == UInt8(ascii: "u") {
                        guard index + 6 <= bytes.count, let unit = hex4(index + 2) else { return nil }
                        // Surrogates (pairs or lone) are left to the general path.
                        guard !(0xD800...0xDFFF).contains(unit) else { return nil }
                        index += 6
                    } else {
                        switch escape {
                        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                            index += 2
                        default: return nil
                        }
                    }
                case 0..<0x20:
                    return nil
                default:
                    index += 1
                }
            }
            return nil
        }

        private func hex4(_ at: Int) -> Int? {
            var value = 0
            for offset in 0..<4 {
                let byte = bytes[at + offset]
                let digit: Int
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(byte - UInt8(ascii: "a")) + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(byte - UInt8(ascii: "A")) + 10
                default: return nil
                }
                value = value * 16 + digit
            }
            return value
        }
    }
}
