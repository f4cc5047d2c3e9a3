import Foundation

/// One-line JSON for the small records scap keeps in lock and handshake files.
enum JSONLine {
    /// `value` as one line of JSON with sorted keys; `{}` if it cannot be encoded.
    static func encode<Value: Encodable>(_ value: Value) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The value in `text`, or `nil` when `text` is not JSON of that shape.
    static func decode<Value: Decodable>(_ type: Value.Type, from text: String) -> Value? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
