import Foundation
import TestBed
import Testing
import Wmflib

@testable import Scap

/// The git change source on a real upstream repository, without targets (`--stop-before-sync`, `--list`): revert
/// commits with the reason asked, the list of open changes, the latest patchset, and names that could be options.
@Suite struct GitChangeSourceTests {
    func run(
        _ fixture: BackportFixture, _ changes: [String],
        prompter: any BackportPrompter = DefaultAnswersBackportPrompter(),
        configure: (inout BackportRequest) -> Void = { _ in }
    ) async throws
        -> (Result<BackportResult, BackportError>, BackportLines)
    {
        let lines = BackportLines()
        var options = fixture.options(changes)
        options.stopBeforeSync = true
        configure(&options)
        let application = Backport(
            request: options, config: try fixture.config(), executor: FakeStageExecutor(), prompter: prompter,
            console: lines.console)
        do {
            return (.success(try await application.run()), lines)
        } catch {
            return (.failure(error), lines)
        }
    }

    @Test func revertMakesARevertCommitWithTheReasonAndMergesIt() async throws {
        let fixture = try BackportFixture(groups: [("canary", ["host1"])])
        let change = try fixture.change(11, files: ["version.txt": "v2\n"], subject: "Bump to v2")
        let (merged, _) = try await run(fixture, ["11"])
        #expect(try merged.get().commit == change)

        let prompter = ScriptedBackportPrompter(text: "v2 breaks the login page")
        let (reverted, lines) = try await run(fixture, ["11"], prompter: prompter) { $0.revert = true }
        let outcome = try reverted.get()
        #expect(outcome.outcome == "stopped_before_sync", "\(lines.all)")
        #expect(prompter.asked == ["Reason for the revert:"])
        let head = try fixture.upstreamMain()
        #expect(head == outcome.commit && head != change)
        let message = try BackportFixture.git(fixture.upstream, ["log", "-1", "--format=%B", head])
        #expect(message.hasPrefix("Revert \"Bump to v2\""))
        #expect(message.contains("This reverts commit \(change)."))
        #expect(message.contains("Reason: v2 breaks the login page"))
        #expect(try BackportFixture.git(fixture.root, ["show", "HEAD:version.txt"]) == "v1")

        let (noReason, _) = try await run(fixture, ["11"]) { $0.revert = true }
        guard case .failure(let error) = noReason else {
            Issue.record("a revert without a reason must stop")
            return
        }
        #expect(error.kind == .usage && error.message.contains("--revert needs a reason"))
    }

    @Test func listShowsOpenChangesAtTheirLatestPatchset() async throws {
        let fixture = try BackportFixture(groups: [("canary", ["host1"])])
        try fixture.change(21, files: ["a.txt": "1\n"], subject: "First try")
        try fixture.change(21, patchset: 2, files: ["a.txt": "2\n"], subject: "Second try")
        try fixture.change(22, files: ["b.txt": "b\n"], subject: "Other")
        let merged = try fixture.change(23, files: ["c.txt": "c\n"], subject: "Merged already")
        let (done, _) = try await run(fixture, ["23"])
        #expect(try done.get().commit == merged)
        let (listed, lines) = try await run(fixture, []) { $0.list = true }
        #expect(try listed.get().outcome == "listed")
        #expect(lines.all.first == "Open changes for main:")
        #expect(lines.all.contains { $0.contains("21,2") && $0.contains("Second try") })
        #expect(lines.all.contains { $0.contains("22,1") && $0.contains("Other") })
        #expect(!lines.all.contains { $0.contains("23,1") })
    }

    @Test func namesThatCouldBeOptionsAreNotChanges() async throws {
        let fixture = try BackportFixture(groups: [("canary", ["host1"])])
        let (result, _) = try await run(fixture, ["--upload-pack=touch /tmp/x", "-v"])
        guard case .failure(let error) = result else {
            Issue.record("expected unknown changes")
            return
        }
        #expect(error.message.contains("change '--upload-pack=touch /tmp/x' not found"))
        #expect(error.message.contains("change '-v' not found"))
    }
}

/// SAL announcements of a backport: the change by number, a security change's subject kept out.
@Suite struct BackportAnnouncementTests {
    @Test func startAndFinishAreAnnouncedAndSecuritySubjectsAreHidden() async throws {
        let relay = try TCPListener()
        defer { relay.stop() }
        relay.accept(count: 2)
        let fixture = try BackportFixture(
            groups: [("production", ["host1"])],
            extraConfig: "tcpircbot_host: 127.0.0.1\ntcpircbot_port: \(relay.port)\n")
        let commit = try fixture.change(
            31, files: ["version.txt": "v2\n"], subject: "Fix the embargoed hole", trailer: "Security: yes")
        let executor = FakeStageExecutor()
        let application = Backport(
            request: fixture.options(["31"]), config: try fixture.config(), executor: executor,
            console: BackportLines().console)
        let result = try await application.run()
        #expect(result.outcome == "succeeded")
        #expect(executor.calls.map(\.stage) == [.fetch, .promote, .finalize])
        let messages = relay.messages(count: 2)
        let host = currentHostname()
        let short = String(commit.prefix(7))
        #expect(
            messages.first
                == "!log deployer@\(host) Started backport [web@\(short)]: Backport for [[gerrit:31|security change]]")
        #expect(
            messages.dropFirst().first?.hasPrefix(
                "!log deployer@\(host) Finished backport [web@\(short)]: Backport for [[gerrit:31|security change]] (duration: 00m"
            ) == true)
        #expect(!messages.contains { $0.contains("embargoed") })
        #expect(fixture.history().first?["changes"].map { "\($0)" }?.contains("embargoed") == false)
    }
}
