import Foundation
import Testing
import Yams

@testable import Wmflib

/// "Billion laughs": a few hundred bytes of nested anchors used to cost seconds and gigabytes in every YAML
/// file the project reads.
@Suite struct YAMLLimitsTests {
    /// Nine levels of ten aliases each: 10⁹ nodes once expanded, in about 400 bytes.
    static let laughs: String = {
        var lines = ["a0: &a0 [\"lol\"]"]
        for level in 1...9 {
            let previous = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ",")
            lines.append("a\(level): &a\(level) [\(previous)]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func billionLaughsIsRefusedQuicklyWithTheFile() throws {
        #expect(Self.laughs.utf8.count < 500)
        let path = try temporaryFile(Self.laughs, suffix: ".yaml")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let start = ContinuousClock.now
        #expect {
            _ = try loadYAMLConfig(path)
        } throws: { error in
            let message = (error as? WmflibError)?.message ?? ""
            return message.contains(path) && message.contains("more than 1000000 nodes")
        }
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func aliasCountAndDepthAreLimited() throws {
        let many = "a: &a x\nb: [" + Array(repeating: "*a", count: 20).joined(separator: ",") + "]\n"
        #expect(throws: YAMLLimitError.self) { try composeYAML(many, path: "f", limits: YAMLLimits(maximumAliases: 10)) }
        #expect(try composeYAML(many, path: "f", limits: YAMLLimits(maximumAliases: 20)) != nil)
        // Nesting that would overflow the stack of a recursive composer is refused first.
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect {
            _ = try composeYAML(deep, path: "deep.yaml")
        } throws: { error in
            (error as? YAMLLimitError)?.description.hasPrefix("deep.yaml:1:257: nested deeper than 256") == true
        }
        // Far deeper input is an error too (libyaml's own limit or ours), never a stack overflow.
        let deeper = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: (any Error).self) { try composeYAML(deeper, path: "deep.yaml") }
        let bytes = "a: &a \"\(String(repeating: "x", count: 1000))\"\nb: [*a, *a, *a]\n"
        #expect(throws: YAMLLimitError.self) {
            try composeYAML(bytes, path: "f", limits: YAMLLimits(maximumScalarBytes: 3000))
        }
    }

    @Test func ordinaryAliasesAndSyntaxErrorsAreUnchanged() throws {
        let node = try composeYAML("defaults: &d {x: 1}\ncopy: *d\n", path: "f")
        #expect(node?["copy"]?["x"]?.int == 1)
        #expect(try composeYAML("", path: "f") == nil)
        // A syntax error is still Yams' own, with its place.
        #expect(throws: (any Error).self) { try composeYAML("a: [1, 2\n", path: "f") }
        #expect((try? composeYAML("a: [1, 2\n", path: "f")) == nil)
    }
}
