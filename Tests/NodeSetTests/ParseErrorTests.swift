import Testing

@testable import NodeSet

@Suite struct ParseErrorTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var input: String
        var message: String
        var position: Int
        var token: String
        var kind: NodeSetParseError.Kind = .syntax
        var testDescription: String { input }
    }

    static let cases: [Expected] = [
        Expected(input: "a,,b", message: "missing nodeset operand with ',' operator", position: 2, token: ","),
        Expected(input: "!a", message: "missing nodeset operand with '!' operator", position: 0, token: "!"),
        Expected(input: "a!", message: "missing nodeset operand with '!' operator", position: 1, token: "!"),
        Expected(input: "host1,", message: "missing nodeset operand with ',' operator", position: 5, token: ","),
        Expected(input: "h[1-2]&", message: "missing nodeset operand with '&' operator", position: 6, token: "&"),
        Expected(input: "host[1-3", message: "missing bracket", position: 4, token: "host[1-3"),
        Expected(input: "x,host[1", message: "missing bracket", position: 6, token: "host[1"),
        Expected(input: "host[1-2][3-4]", message: "illegal reopening bracket", position: 9, token: "[3-4]"),
        Expected(input: "host]", message: "illegal closing bracket", position: 4, token: "host]"),
        Expected(input: "a]b[1]", message: "illegal closing bracket", position: 1, token: "a]b"),
        Expected(input: "h[1]]", message: "illegal closing bracket", position: 4, token: "]"),
        Expected(
            input: "h[1-4/2]0", message: "illegal trailing digits after range with steps", position: 8, token: "0"),
        Expected(input: "n[01-1]", message: "padding length mismatch", position: 2, token: "01-1", kind: .range),
        Expected(input: "n[1-010]", message: "padding length mismatch", position: 2, token: "1-010", kind: .range),
        Expected(input: "n[1-3,]", message: "empty range", position: 6, token: "", kind: .range),
        Expected(input: "n[]", message: "empty range", position: 2, token: "", kind: .range),
        Expected(input: "n[1, 3-1]", message: "invalid values in range", position: 5, token: "3-1", kind: .range),
        Expected(input: "n[1-5/0]", message: "invalid values in range", position: 2, token: "1-5/0", kind: .range),
        Expected(input: "n[5/2]", message: "invalid step usage", position: 2, token: "5/2", kind: .range),
        Expected(input: "n[a]", message: "cannot convert string to integer", position: 2, token: "a", kind: .range),
        Expected(
            input: "n[-05-01]", message: "padding not supported in negative ranges", position: 2, token: "-05-01",
            kind: .range),
        Expected(input: "n[-05-1]", message: "padding length mismatch", position: 2, token: "-05-1", kind: .range),
        Expected(
            input: "27[-3--1]x", message: "invalid range upper limit (0)", position: 3, token: "-3--1", kind: .range),
        Expected(
            input: "h[1-3!2]", message: "cannot convert string to integer", position: 2, token: "1-3!2", kind: .range),
        Expected(input: "é,,x", message: "missing nodeset operand with ',' operator", position: 2, token: ","),
    ]

    @Test(arguments: cases)
    func reportsWhatWhereAndToken(_ expected: Expected) {
        #expect(throws: NodeSetParseError.self) { try NodeSet(expected.input) }
        do {
            _ = try NodeSet(expected.input)
        } catch {
            #expect(error.message == expected.message)
            #expect(error.position == expected.position)
            #expect(error.token == expected.token)
            #expect(error.kind == expected.kind)
            #expect(error.expression == expected.input)
            #expect(error.description.contains("position \(expected.position)"))
        }
    }

    @Test(arguments: ["host[1-99999999999]", "h[1-20000000]", "a[1-5000]b[1-5000]", "h[0-1000000000000000000000]"])
    func hugeRangesAreRefused(_ input: String) {
        #expect(throws: NodeSetParseError.self) { try NodeSet(input) }
    }

    @Test func longDigitRunsInLiteralNamesStayText() {
        let set = NodeSet(nodes: ["sn1234567890123456789012", "sn1234567890123456789012"])
        #expect(set.count == 1)
        #expect(set.description == "sn1234567890123456789012")
    }
}
