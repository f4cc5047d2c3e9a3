import Foundation
import Testing

@testable import SpiderPig

/// The fast path for scap's line records and plain lines agrees with JSONSerialization, and leaves everything it
/// does not fully understand to the general path.
struct LineRecordsTests {
    static let key = "0123abcd"

    /// The line and flag a payload decodes to, with JSONSerialization.
    func decoded(_ payload: String) -> (String, Bool)? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any],
            let line = object["line"] as? String, let sensitive = object["sensitive"] as? Bool
        else { return nil }
        return (line, sensitive)
    }

    @Test func scapLineRecordsKeepTheirTextAndFlag() throws {
        let lines = [
            #"{"iokey": "0123abcd", "type": "line", "line": "plain text", "sensitive": false}"#,
            #"{"sensitive":true,"line":"token \"x\" \\ \/ \u001b[32mok\u001b[0m \u00e9 caf\u00e9 ✓","type":"line","iokey":"0123abcd"}"#,
            #"  {"type": "line", "iokey": "0123abcd", "line": "", "extra": 12.5e3, "other": null}  "#,
        ]
        for line in lines {
            let fast = try #require(LineRecords.lineRecord(line, key: Self.key), "\(line)")
            let reference = try #require(
                (try JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])
            let (text, sensitive) = try #require(decoded(fast.payload), "\(fast.payload)")
            #expect(text == reference["line"] as? String)
            #expect(sensitive == (reference["sensitive"] as? Bool ?? false))
            #expect(fast.sensitive == sensitive)
        }
    }

    @Test func anythingElseGoesToTheGeneralPath() {
        for line in [
            #"{"iokey": "guess", "type": "line", "line": "forged"}"#,  // another key
            #"{"iokey": "0123abcd", "type": "status", "status": "x"}"#,  // another type
            #"{"iokey": "0123abcd", "type": "line", "line": "pair \ud83d\ude00"}"#,  // surrogates
            #"{"iokey": "0123abcd", "type": "line", "line": "x", "progress": {"a": 1}}"#,  // nested
            "{\"iokey\": \"0123abcd\", \"type\": \"line\", \"line\": \"raw\ttab\"}",  // raw control character
            #"{"iokey": "0123abcd", "type": "line", "line": "bad \q escape"}"#,
            #"{"iokey": "0123abcd", "type": "line", "line": "unterminated}"#,
            #"{"iokey": "0123abcd", "type": "line", "line": "x"} trailing"#,
            #"{"iokey": "0123abcd", "type": "line", "line": "x", "sensitive": "yes"}"#,
            #"{"iokey": "0123abcd", "type": "line"}"#,
        ] {
            #expect(LineRecords.lineRecord(line, key: Self.key) == nil, "\(line)")
        }
    }

    @Test func plainLinesAreEscaped() throws {
        for line in ["simple", #"quote " backslash \ tab\#t bell \#u{07} esc \#u{1b}[1m ✓"#, "", "{not json"] {
            let (text, sensitive) = try #require(decoded(LineRecords.plainPayload(line)), "\(line)")
            #expect(text == line)
            #expect(!sensitive)
        }
    }
}
