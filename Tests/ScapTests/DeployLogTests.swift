import Foundation
import Testing

@testable import Scap

@Test func recordRoundTripsThroughWriterAndReader() throws {
    let tree = TempTree()
    let path = tree.path("scap/log/scap-sync-2026-01-01-0001.log")
    try FileManager.default.createDirectory(atPath: tree.path("scap/log"), withIntermediateDirectories: true)
    let first = DeployLogRecord(
        name: "deploy", level: 30, message: "%d of %d %s targets failed", args: [.int(1), .int(3), .string("canary")],
        host: "deploy1002", created: Date(timeIntervalSince1970: 1_700_000_000.25), extra: ["stage": .string("fetch")])
    do {
        let writer = try DeployLogWriter(path: path)
        try writer.append(first)
        try writer.append(DeployLogRecord(name: "target.scb1001", message: "fetched", host: "scb1001"))
    }
    // A second writer appends instead of truncating.
    try DeployLogWriter(path: path).append(DeployLogRecord(name: "deploy", message: "done", host: "deploy1002"))
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text.split(separator: "\n").count == 3)
    #expect(text.hasSuffix("\n"))
    _ = FileManager.default.createFile(atPath: tree.path("other"), contents: nil)
    try (text + "not json\n{\"levelno\": \"high\"}\n").write(toFile: path, atomically: false, encoding: .utf8)
    let records = try DeployLogDirectory.records(inFile: path)
    #expect(records.count == 3, "lines that are not records are skipped")
    #expect(records[0] == first)
    #expect(records[0].message == "1 of 3 canary targets failed")
    #expect(records[0].extra["stage"] == .string("fetch"))
    #expect(DeployLogDirectory(root: tree.root).latestFile() == path)
}

@Test func readsPythonWrittenRecords() throws {
    let line = #"{"name": "target.scb1001.deploy-local", "levelno": 20, "filename": "deploy.py", "lineno": 12, "msg": "Fetch from: %s", "args": ["http://deploy1002/citoid/deploy/.git"], "funcName": "fetch", "created": 1700000000.5, "msecs": 500.0, "relativeCreated": 12.5, "exc_text": null, "host": "scb1001"}"#
    let record = try #require(DeployLogRecord(line: line))
    #expect(record.lineno == 12 && record.filename == "deploy.py" && record.funcName == "fetch")
    #expect(record.message == "Fetch from: http://deploy1002/citoid/deploy/.git")
    let formatter = DeployLogFormatter(timeZone: try #require(TimeZone(identifier: "UTC")))
    #expect(formatter.format(record) == "22:13:20 [scb1001] Fetch from: http://deploy1002/citoid/deploy/.git")
}

@Test func formatterColoursExceptionsAndDiffs() throws {
    let utc = try #require(TimeZone(identifier: "UTC"))
    var record = DeployLogRecord(
        name: "deploy", level: 40, message: "boom", host: "deploy1002", created: Date(timeIntervalSince1970: 3661))
    record.excText = "Traceback: x"
    #expect(DeployLogFormatter(timeZone: utc).format(record) == "01:01:01 [deploy1002] boom\nTraceback: x")
    #expect(DeployLogFormatter(timeZone: utc, colorize: true).format(record) == "\u{1B}[31m01:01:01 [deploy1002] boom\nTraceback: x\u{1B}[0m")
    let diff = DeployLogRecord(
        name: "deploy", message: "diff", host: "h", extra: ["type": .string("config_diff"), "output": .string("--- a\n+++ b")])
    #expect(DeployLogFormatter(timeZone: utc).format(diff) == "--- a\n+++ b")
}

@Test(arguments: [
    ("plain", [JSONValue](), "plain"),
    ("%s and %r", [.string("a"), .string("b")], "a and 'b'"),
    ("%5.1f%%", [.double(3.14159)], "  3.1%"),
    ("%03d|%-4s|%x", [.int(7), .string("ab"), .int(255)], "007|ab  |ff"),
    ("%s %s", [.bool(true), .null], "True None"),
    ("%s", [.array([.string("a"), .int(1)])], "['a', 1]"),
    ("%s %s", [.string("too few")], "%s %s"),
    ("100%", [.string("x")], "100%"),
])
func percentFormatting(format: String, args: [JSONValue], expected: String) {
    var record = DeployLogRecord(name: "n", message: format, host: "h")
    record.args = args
    #expect(record.message == expected)
}

@Test func followerReadsAppendedLinesAndSwitchesToNewerLogs() throws {
    let tree = TempTree()
    let directory = DeployLogDirectory(root: tree.root)
    try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
    var follower = DeployLogFollower(directory: directory, scanInterval: 0)
    #expect(follower.poll() == DeployLogFollower.Batch(opened: nil, records: []))

    let first = tree.path("scap/log/a.log")
    let writer = try DeployLogWriter(path: first)
    try writer.append(DeployLogRecord(name: "deploy", message: "one", host: "h"))
    let batch = follower.poll()
    #expect(batch.opened == first)
    #expect(batch.records.map(\.msg) == ["one"])

    // A partial line waits for its newline.
    let handle = try #require(FileHandle(forWritingAtPath: first))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(#"{"msg": "two", "host": "h""#.utf8))
    #expect(follower.poll().records.isEmpty)
    try handle.write(contentsOf: Data("}\n".utf8))
    try handle.close()
    #expect(follower.poll().records.map(\.msg) == ["two"])

    let second = tree.path("scap/log/b.log")
    try DeployLogWriter(path: second).append(DeployLogRecord(name: "deploy", message: "three", host: "h"))
    try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: second)
    let switched = follower.poll()
    #expect(switched.opened == second)
    #expect(switched.records.map(\.msg) == ["three"])
}
