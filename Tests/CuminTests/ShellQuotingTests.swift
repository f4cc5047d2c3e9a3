import Cumin
import Foundation
import TestBed
import Testing

/// `shellSingleQuoted` gives back every byte through a real `/bin/sh`.
@Suite struct ShellQuotingTests {
    @Test(arguments: [
        "", "plain", "it's", "'", "''", "a'b'c", "back\\slash", "$HOME `id` $(id) \"x\"", "new\nline\ttab",
        "ünïcödé ✓ '", String(repeating: "x'y", count: 5000),
    ])
    func theShellReadsBackTheValue(value: String) throws {
        #expect(shellSingleQuoted("it's") == #"'it'\''s'"#)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "printf '%s' " + shellSingleQuoted(value)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitForExit(timeout: 30)
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: data, as: UTF8.self) == value)
    }
}
