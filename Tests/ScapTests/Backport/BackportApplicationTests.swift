import Foundation
import Synchronization
import TestBed
import Testing

@testable import Scap

/// `BackportApplication` in process, as SpiderPig would run it: machine-mode records on its output writer and
/// answers from its reader, an `input_line` for the revert reason, and the terminal's default "no".
@Suite struct BackportApplicationTests {
    /// The application's output, error and a queue of answers.
    final class Streams: Sendable {
        private let state = Mutex((output: "", error: "", answers: [String]()))
        init(answers: [String] = []) { state.withLock { $0.answers = answers } }
        var output: String { state.withLock { $0.output } }
        var error: String { state.withLock { $0.error } }

        func invocation(directory: String, environment: [String: String] = [:]) -> ScapInvocation {
            ScapInvocation(
                directory: directory, environment: environment,
                writeOutput: { text in self.state.withLock { $0.output += text } },
                writeError: { text in self.state.withLock { $0.error += text } },
                readLine: { self.state.withLock { $0.answers.isEmpty ? nil : $0.answers.removeFirst() } },
                userID: 1000)
        }
    }

    func options(_ fixture: BackportFixture, _ changes: [String]) -> BackportOptions {
        var options = BackportOptions()
        options.changes = changes
        options.globalLock = fixture.tree.path("global.lock")
        options.lockTimeout = 5
        options.stopBeforeSync = true
        return options
    }

    @Test func machineModeRevertAsksTheReasonAsAnInputLine() async throws {
        let fixture = try BackportFixture(groups: [("canary", ["host1"])])
        let change = try fixture.change(41, files: ["version.txt": "v2\n"], subject: "Bump")
        let merged = await BackportApplication(invocation: Streams().invocation(directory: fixture.root))
            .run(options(fixture, ["41"]).with { $0.yes = true })
        #expect(merged == 0)
        #expect(try fixture.upstreamMain() == change)

        let streams = Streams(answers: ["the login page broke", "y"])
        let key = "k" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        var revert = options(fixture, ["41"])
        revert.revert = true
        let code = await BackportApplication(
            invocation: streams.invocation(
                directory: fixture.root,
                environment: [SpiderPigIO.keyVariable: key, SpiderPigIO.userVariable: "alice"])
        ).run(revert)
        #expect(code == 0, "\(streams.output) \(streams.error)")
        let records = streams.output.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        #expect(records.count == streams.output.split(separator: "\n").count)
        #expect(records.allSatisfy { $0["iokey"] as? String == key })
        let interactions = records.filter { $0["type"] as? String == "interaction" }
        #expect(interactions.map { $0["subtype"] as? String } == ["input_line", "choices"])
        #expect(interactions.first?["prompt"] as? String == "Reason for the revert:")
        #expect(interactions.last?["prompt"] as? String == "Backport the changes?")
        #expect(records.last?["type"] as? String == "status" && records.last?["status"] is NSNull)
        let message = try BackportFixture.git(fixture.upstream, ["log", "-1", "--format=%B", "main"])
        #expect(message.contains("Reason: the login page broke"))
        #expect(try BackportFixture.git(fixture.upstream, ["log", "-1", "--format=%an", "main"]) == "alice")
    }

    @Test func withoutAnAnswerTheChangesAreNotBackported() async throws {
        let fixture = try BackportFixture(groups: [("canary", ["host1"])])
        let base = try fixture.upstreamMain()
        try fixture.change(42, files: ["version.txt": "v2\n"], subject: "Bump")
        let streams = Streams()
        let code = await BackportApplication(invocation: streams.invocation(directory: fixture.root))
            .run(options(fixture, ["42"]))
        #expect(code == 1)
        #expect(streams.output.contains("[y] Yes\n[n] No\nBackport the changes? (default: [n]) \n"))
        #expect(streams.output.contains("Backport cancelled: nothing was merged or deployed"))
        #expect(try fixture.upstreamMain() == base)
    }

    @Test func usageErrorsExitTwo() async throws {
        let fixture = try BackportFixture(groups: [("canary", ["host1"])])
        let streams = Streams()
        #expect(
            await BackportApplication(invocation: streams.invocation(directory: fixture.root))
                .run(options(fixture, [])) == 2)
        #expect(streams.error == "scap backport: name at least one change: scap backport CHANGE… (or --list)\n")
        var unknown = options(fixture, ["1"])
        unknown.defines = ["change_source:svn"]
        #expect(await BackportApplication(invocation: streams.invocation(directory: fixture.root)).run(unknown) == 2)
        #expect(streams.error.contains("change_source 'svn' is unknown: expected git or gerrit"))
    }
}

extension BackportOptions {
    /// A copy changed by `change`.
    func with(_ change: (inout BackportOptions) -> Void) -> BackportOptions {
        var copy = self
        change(&copy)
        return copy
    }
}
