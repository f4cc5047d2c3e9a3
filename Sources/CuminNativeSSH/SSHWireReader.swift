/// Reads the SSH wire encoding (RFC 4251 `uint32`, `string`, `mpint`) from bytes, never past their end.
struct SSHWireReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Bytes not read yet.
    var remaining: Int { bytes.count - offset }

    /// Reads `count` raw bytes; `nil` when fewer are left.
    mutating func read(_ count: Int) -> [UInt8]? {
        guard count >= 0, count <= remaining else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a big-endian `uint32`.
    mutating func uint32() -> UInt32? {
        guard let raw = read(4) else { return nil }
        return raw.reduce(0) { ($0 << 8) | UInt32($1) }
    }

    /// Reads a length-prefixed `string` as bytes.
    mutating func string() -> [UInt8]? {
        guard let length = uint32(), Int(length) <= remaining else { return nil }
        return read(Int(length))
    }

    /// Reads a length-prefixed `string` as UTF-8 text.
    mutating func text() -> String? {
        string().map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Writes the SSH wire encoding.
struct SSHWireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func uint32(_ value: UInt32) {
        bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    mutating func string(_ value: [UInt8]) {
        uint32(UInt32(value.count))
        bytes += value
    }

    mutating func string(_ value: String) {
        string(Array(value.utf8))
    }
}
