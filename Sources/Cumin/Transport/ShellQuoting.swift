/// `value` as one single-quoted POSIX shell word: every `'` becomes `'\''`, so nothing inside is expanded.
///
/// ```swift
/// shellSingleQuoted("it's") // 'it'\''s'
/// ```
/// Works on the UTF-8 bytes: stage scripts of several KiB are quoted for every host of every stage, and
/// Foundation's `replacingOccurrences` (UTF-16 bridging on Linux) made that the deploy host's largest CPU cost.
public func shellSingleQuoted(_ value: String) -> String {
    let quote = UInt8(ascii: "'")
    var bytes: [UInt8] = []
    bytes.reserveCapacity(value.utf8.count + 16)
    bytes.append(quote)
    for byte in value.utf8 {
        if byte == quote {
            bytes.append(contentsOf: [quote, UInt8(ascii: "\\"), quote, quote])
        } else {
            bytes.append(byte)
        }
    }
    bytes.append(quote)
    return String(decoding: bytes, as: UTF8.self)
}
