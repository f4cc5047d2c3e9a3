import Foundation
import Testing

@testable import Scap

private func record(
    _ msg: String = "hello", level: Int = LogLevel.info.rawValue, host: String? = "scap-target-01", name: String = "deploy",
    extra: [String: JSONValue] = [:]
) -> DeployLogRecord {
    var record = DeployLogRecord(name: name, level: level, message: msg, host: host ?? "", created: Date(timeIntervalSince1970: 0), extra: extra)
    if host == nil { record.host = nil }
    return record
}

private func matches(_ expression: String, _ record: DeployLogRecord) throws -> Bool {
    try DeployLogFilter(parsing: expression).matches(record)
}

@Test func globOperatorsMatchWholeValue() throws {
    #expect(try matches("host == scap-target-*", record()))
    #expect(try matches("host = scap-target-0?", record()))
    #expect(try matches("host == scap-target-0[1-3]", record()))
    #expect(try !matches("host == scap-target-0[!1]", record()))
    #expect(try !matches("host == target", record()), "a glob matches the whole value")
    #expect(try !matches("host == scap-target-02", record()))
    #expect(try !matches("host == *", record(host: nil)), "a record without the field never matches")
}

@Test func regexOperatorSearches() throws {
    #expect(try matches(#"msg ~ "some (message|msg)""#, record("here is some msg ok")))
    #expect(try !matches("msg ~ ^msg", record("some msg")))
    #expect(try matches("name ~ ^target\\.", record(name: "target.scb1001.deploy-local")))
}

@Test func numericComparisonsAndLevelNames() throws {
    let warning = record(level: 30)
    #expect(try matches("levelno >= WARNING", warning))
    #expect(try matches("levelno > INFO", warning))
    #expect(try !matches("levelno > WARNING", warning))
    #expect(try matches("levelno <= 30", warning))
    #expect(try !matches("levelno < 30", warning))
    #expect(try matches("levelno == WARNING", warning))
    #expect(try matches("levelname == WARN*", warning))
    #expect(try matches("host > scap-a", record()), "strings compare as strings")
    #expect(try !matches("host > 5", record()), "a string field never compares with a number")
    #expect(try matches("attempt >= 2", record(extra: ["attempt": .int(3)])))
}

@Test func adjacentTriplesAreAllRequired() throws {
    #expect(try matches("levelno >= WARNING host == scap-target-*", record(level: 40)))
    #expect(try !matches("levelno >= WARNING host == scap-target-*", record(level: 20)))
    #expect(try !matches("levelno >= WARNING host == other", record(level: 40)))
}

@Test func booleanKeywordsAndPrecedence() throws {
    #expect(try matches("host == a or host == scap-target-01", record()))
    #expect(try matches("not host == a", record()))
    #expect(try !matches("not host == scap-*", record()))
    // not > and > or: `a or b and c` is `a or (b and c)`.
    let filter = try DeployLogFilter(parsing: "host == x or msg == hello and levelno >= ERROR")
    #expect(filter.description == "(host == x or (msg == hello and levelno >= ERROR))")
    #expect(!filter.matches(record()))
    let grouped = try DeployLogFilter(parsing: "( host == x or msg == hello ) and not levelno >= ERROR")
    #expect(grouped.description == "((host == x or msg == hello) and (not levelno >= ERROR))")
    #expect(grouped.matches(record()))
    // A keyword followed by an operator is a field name.
    #expect(try matches("or == yes", record(extra: ["or": .string("yes")])))
}

@Test func defaultLevelApplies() throws {
    let filter = try DeployLogFilter(parsing: "host == scap-*")
    #expect(!filter.withDefaultLevel(verbose: false).matches(record(level: 10)))
    #expect(filter.withDefaultLevel(verbose: true).matches(record(level: 10)))
    let explicit = try DeployLogFilter(parsing: "levelno >= DEBUG").withDefaultLevel(verbose: false)
    #expect(explicit.matches(record(level: 10)))
    #expect(try DeployLogFilter(parsing: "").withDefaultLevel(verbose: false).description == "levelno >= 20")
}

@Test func quotingFollowsShlex() throws {
    let tokens = try DeployLogFilter.tokenize(#"msg ~ "a \"b\" c" host == 'x y' z\ w"#)
    #expect(tokens.map(\.text) == ["msg", "~", #"a "b" c"#, "host", "==", "x y", "z w"])
    #expect(tokens.map(\.position) == [0, 4, 6, 18, 23, 26, 32])
    #expect(try matches("msg == 'hello there'", record("hello there")))
}

@Test(arguments: [
    ("host", 4, "expected an operator"),
    ("host is x", 5, "invalid operator 'is'"),
    ("host ==", 7, "expected a value"),
    ("msg ~ \"abc", 6, "unterminated \" quote"),
    ("msg ~ 'abc", 6, "unterminated ' quote"),
    ("msg ~ (", 6, "invalid regular expression"),
    ("host == a or", 12, "expected a comparison"),
    ("( host == a", 0, "'(' is not closed"),
    ("host == a )", 10, "')' without"),
    ("host == a \\", 10, "backslash"),
])
func parseErrorsGivePositions(expression: String, position: Int, message: String) {
    do {
        _ = try DeployLogFilter(parsing: expression)
        Issue.record("expected an error for \(expression)")
    } catch {
        #expect(error.position == position, "\(error)")
        #expect(error.message.contains(message), "\(error)")
        #expect(error.description.hasPrefix("invalid filter at position \(position):"))
        #expect(error.caretDiagnostic.hasSuffix(String(repeating: " ", count: position) + "^"))
    }
}
