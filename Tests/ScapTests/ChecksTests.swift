import Foundation
import Testing

@testable import Scap

private func parseError(_ text: String) -> ChecksError? {
    do {
        _ = try ChecksFile(parsing: text, path: "scap/checks.yaml")
        Issue.record("expected a ChecksError")
        return nil
    } catch {
        return error
    }
}

@Test func parsesCommandNrpeAndScriptChecks() throws {
    let file = try ChecksFile(
        parsing: """
            checks:
              endpoints:
                type: nrpe
                stage: promote
                command: check_endpoints_citoid
              depool:
                type: script
                before: promote
                group: canary
                timeout: 5
                command: depool.sh
              curl:
                after: restart_service
                command: curl -Ss localhost:1970
                shell: true
              blank:
            """, path: "scap/checks.yaml")
    #expect(
        file.checks == [
            Check(name: "endpoints", kind: .nrpe, after: .promote, command: "check_endpoints_citoid"),
            Check(name: "depool", kind: .script, before: .promote, group: "canary", timeout: 5, command: "depool.sh"),
            Check(name: "curl", after: .handleService, command: "curl -Ss localhost:1970", shell: true),
        ])
    #expect(file.checks[1].applies(to: .promote, before: true, group: "canary"))
    #expect(!file.checks[1].applies(to: .promote, before: true, group: "default"))
    #expect(!file.checks[1].applies(to: .promote, before: false, group: "canary"))
}

@Test func emptyFileHasNoChecks() throws {
    #expect(try ChecksFile(parsing: "", path: "c").checks.isEmpty)
    #expect(try ChecksFile(parsing: "checks:\n", path: "c").checks.isEmpty)
}

@Test(arguments: [
    ("checks:\n  a:\n    command: x\n    stage: deploy\n", 4, "stage", "unknown target stage 'deploy'"),
    ("checks:\n  a:\n    command: x\n    after: fetch\n    typo: 1\n", 5, "typo", "unknown key"),
    ("checks:\n  a:\n    type: http\n    command: x\n    after: fetch\n", 3, "type", "command, nrpe or script"),
    ("checks:\n  a:\n    command: x\n    after: fetch\n    timeout: soon\n", 5, "timeout", "seconds"),
    ("checks:\n  a:\n    after: fetch\n", 2, "command", "is required"),
    ("checks:\n  a:\n    command: x\n", 2, "after", "needs 'after:'"),
    ("checks:\n  a:\n    command: x\n    after: fetch\n    shell: sometimes\n", 5, "shell", "true or false"),
])
func checkErrorsNameLineAndKey(text: String, line: Int, key: String, message: String) {
    let error = parseError(text)
    #expect(error?.path == "scap/checks.yaml")
    #expect(error?.line == line)
    #expect(error?.check == "a")
    #expect(error?.key == key)
    #expect(error?.message.contains(message) == true, "\(String(describing: error))")
}

@Test func structuralErrors() {
    #expect(parseError("checks: [1, 2]\n")?.key == "checks")
    #expect(parseError("check:\n  a: {}\n")?.key == "check")
    let yaml = parseError("checks:\n  a: [\n")
    #expect(yaml?.message.contains("invalid YAML") == true)
    #expect(yaml?.line != nil)
}

@Test func environmentChecksReplaceSameNamedOnes() throws {
    let tree = TempTree()
    tree.write("scap/checks.yaml", "checks:\n  a:\n    after: fetch\n    command: one\n  b:\n    after: fetch\n    command: two\n")
    tree.write("scap/environments/beta/checks.yaml", "checks:\n  a:\n    after: promote\n    command: beta\n  c:\n    before: fetch\n    command: three\n")
    let merged = try ChecksFile.load(root: tree.root, environment: "beta")
    #expect(merged.checks.map(\.name) == ["a", "b", "c"])
    #expect(merged.checks[0].command == "beta" && merged.checks[0].after == .promote)
    #expect(try ChecksFile.load(root: tree.root).checks.map(\.command) == ["one", "two"])
}
