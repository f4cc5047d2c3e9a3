import Foundation
import Testing

@testable import Scap

/// The Gerrit change source against a Gerrit-compatible HTTP server backed by a real bare repository: the +2 vote
/// and its message, waiting for the merge, and the exits on failed build tests and Code-Review -2.
@Suite struct GerritChangeSourceTests {
    func fixture(_ gerrit: GerritTestServer? = nil) throws -> BackportFixture {
        try BackportFixture(
            groups: [("canary", ["host1"])], extraConfig: "gerrit_poll_interval: 0.2\ngerrit_merge_timeout: 20\n")
    }

    func run(
        _ fixture: BackportFixture, _ gerrit: GerritTestServer, _ changes: [String],
        prompter: any BackportPrompter = DefaultAnswersBackportPrompter()
    ) async throws
        -> (Result<BackportResult, BackportError>, BackportLines)
    {
        let lines = BackportLines()
        var options = fixture.options(changes)
        options.stopBeforeSync = true
        let config = try fixture.config(overrides: ["change_source:gerrit", "gerrit_url:\(gerrit.url)"])
        let application = Backport(
            request: options, config: config, executor: FakeStageExecutor(), prompter: prompter, console: lines.console)
        do {
            return (.success(try await application.run()), lines)
        } catch {
            return (.failure(error), lines)
        }
    }

    @Test func aVoteMergesTheChangesAndTheDeployRepositoryFollows() async throws {
        let fixture = try fixture()
        let gerrit = try GerritTestServer(upstream: fixture.upstream)
        defer { gerrit.stop() }
        let base = try fixture.upstreamMain()
        let first = try fixture.change(701, files: ["a.txt": "a\n"], subject: "First")
        let second = try fixture.change(702, parent: first, files: ["b.txt": "b\n"], subject: "Second")
        try gerrit.register(701, commit: first, parents: [base], subject: "First")
        try gerrit.register(702, commit: second, parents: [first], subject: "Second", hashtags: ["security"])
        // 702 alone depends on the open 701.
        let (alone, _) = try await run(fixture, gerrit, ["702"])
        guard case .failure(let missing) = alone else {
            Issue.record("expected a missing dependency, got \(alone)")
            return
        }
        #expect(missing.message.contains("change 702,1 (Second): depends on \(first.prefix(10))"))

        let (result, lines) = try await run(fixture, gerrit, ["\(gerrit.url)/c/web/+/702", "701"])
        let outcome = try result.get()
        #expect(outcome.outcome == "stopped_before_sync", "\(lines.all)")
        let votes = try gerrit.votes()
        #expect(votes.map { $0["change"] as? Int } == [701, 702])
        let host = ProcessInfo.processInfo.hostName
        #expect(votes.allSatisfy { $0["message"] as? String == "Approved by deployer@\(host) using scap backport" })
        #expect(votes.allSatisfy { ($0["labels"] as? [String: Int])?["Code-Review"] == 2 })
        #expect(try fixture.upstreamMain() == second)
        #expect(try BackportFixture.git(fixture.root, ["rev-parse", "HEAD"]) == second)
        #expect(outcome.commit == second)
        #expect(lines.all.contains("Waiting for changes to be merged. This may take some time…"))
        #expect(lines.sensitive.contains { $0.contains("Second") })
    }

    @Test func verifiedMinusOneAfterTheVoteExitsWithFailedBuildTests() async throws {
        let fixture = try fixture()
        let gerrit = try GerritTestServer(upstream: fixture.upstream)
        defer { gerrit.stop() }
        let base = try fixture.upstreamMain()
        let commit = try fixture.change(801, files: ["a.txt": "a\n"], subject: "Breaks the build")
        try gerrit.register(801, commit: commit, parents: [base], subject: "Breaks the build", behavior: "verified-1")
        let (result, _) = try await run(fixture, gerrit, ["801"])
        guard case .failure(let error) = result else {
            Issue.record("expected failed build tests, got \(result)")
            return
        }
        #expect(error.message == "change 801,1 failed build tests (Verified -1); nothing was deployed")
        #expect(try fixture.upstreamMain() == base)
        #expect(try gerrit.votes().count == 1)
    }

    @Test func codeReviewMinusTwoExitsAndAbandonedOrOtherBranchChangesAreRefused() async throws {
        let fixture = try fixture()
        let gerrit = try GerritTestServer(upstream: fixture.upstream)
        defer { gerrit.stop() }
        let base = try fixture.upstreamMain()
        let commit = try fixture.change(901, files: ["a.txt": "a\n"], subject: "Vetoed")
        try gerrit.register(901, commit: commit, parents: [base], subject: "Vetoed", behavior: "cr-2")
        let (vetoed, _) = try await run(fixture, gerrit, ["901"])
        guard case .failure(let error) = vetoed else {
            Issue.record("expected a veto, got \(vetoed)")
            return
        }
        #expect(error.message.contains("change 901,1 got Code-Review -2"))
        try gerrit.register(902, commit: commit, parents: [base], subject: "Gone", status: "ABANDONED")
        try gerrit.register(903, commit: commit, parents: [base], subject: "Elsewhere", branch: "wmf/1.45")
        let (refused, _) = try await run(fixture, gerrit, ["902", "903"])
        guard case .failure(let problems) = refused else {
            Issue.record("expected refusals, got \(refused)")
            return
        }
        #expect(problems.message.contains("change 902,1 (Gone): abandoned"))
        #expect(problems.message.contains("change 903,1 (Elsewhere): targets branch 'wmf/1.45'"))
        #expect(try gerrit.votes().count == 1, "nothing is voted on when the batch is refused")
    }

    @Test func notMergeableIsToleratedForTwoPollsAndANewPatchsetIsReapproved() async throws {
        let fixture = try fixture()
        let gerrit = try GerritTestServer(upstream: fixture.upstream)
        defer { gerrit.stop() }
        let base = try fixture.upstreamMain()
        let slow = try fixture.change(1301, files: ["a.txt": "a\n"], subject: "Needs a rebase first")
        try gerrit.register(
            1301, commit: slow, parents: [base], subject: "Needs a rebase first", behavior: "rebase-then-merge")
        let (tolerated, lines) = try await run(fixture, gerrit, ["1301"])
        #expect(try tolerated.get().commit == slow, "\(lines.all)")

        let first = try fixture.change(1302, files: ["b.txt": "1\n"], subject: "Patchset 1")
        let second = try fixture.change(1302, patchset: 2, files: ["b.txt": "2\n"], subject: "Patchset 2")
        try gerrit.register(
            1302, commit: first, parents: [slow], subject: "Patchset 2", behavior: "new-patchset", nextCommit: second)
        let declined = ScriptedBackportPrompter()
        let (refused, _) = try await run(fixture, gerrit, ["1302"], prompter: declined)
        #expect(declined.asked == ["Change 1302,1 has a new patchset. Re-approve change and continue?"])
        guard case .failure(let error) = refused else {
            Issue.record("declining the new patchset must stop")
            return
        }
        #expect(error.message.contains("has a new patchset that was not approved"))
        let approving = ScriptedBackportPrompter([("Change 1302", "y")])
        let (merged, _) = try await run(fixture, gerrit, ["1302"], prompter: approving)
        #expect(try merged.get().commit == second)
        #expect(try gerrit.votes().filter { $0["change"] as? Int == 1302 }.count == 2)
    }

    @Test func aChangeThatStaysUnmergeableStopsAfterTwoPolls() async throws {
        let fixture = try fixture()
        let gerrit = try GerritTestServer(upstream: fixture.upstream)
        defer { gerrit.stop() }
        let base = try fixture.upstreamMain()
        let commit = try fixture.change(1401, files: ["a.txt": "a\n"], subject: "Conflicts")
        try gerrit.register(1401, commit: commit, parents: [base], subject: "Conflicts", behavior: "unmergeable")
        let (result, _) = try await run(fixture, gerrit, ["1401"])
        guard case .failure(let error) = result else {
            Issue.record("expected a rebase error")
            return
        }
        #expect(error.message == "change 1401,1 is not mergeable (it needs a rebase); nothing was deployed")
        #expect(try fixture.upstreamMain() == base)
    }

    @Test func ctrlCWhileWaitingForTheMergeStopsWithNothingDeployed() async throws {
        let fixture = try fixture()
        let gerrit = try GerritTestServer(upstream: fixture.upstream)
        defer { gerrit.stop() }
        let base = try fixture.upstreamMain()
        let commit = try fixture.change(1501, files: ["a.txt": "a\n"], subject: "Slow review")
        try gerrit.register(1501, commit: commit, parents: [base], subject: "Slow review", behavior: "hold")
        var request = fixture.options(["1501"])
        request.stopBeforeSync = true
        let interruption = DeployInterruption()
        let backport = Backport(
            request: request,
            config: try fixture.config(overrides: [
                "change_source:gerrit", "gerrit_url:\(gerrit.url)",
                // Without the interruption the wait would last a minute at least.
                "gerrit_poll_interval:60", "gerrit_merge_timeout:300",
            ]),
            executor: FakeStageExecutor(), console: BackportLines().console, interruption: interruption)
        let stopper = Task {
            try await Task.sleep(for: .seconds(1))
            interruption.interrupt()
        }
        defer { stopper.cancel() }
        let started = ContinuousClock.now
        do {
            _ = try await backport.run()
            Issue.record("the wait must stop on Ctrl-C")
        } catch {
            #expect(error.kind == .interrupted)
            #expect(error.message.hasPrefix("interrupted (Ctrl+C) while waiting for the merge of 1501,1"))
        }
        #expect(ContinuousClock.now - started < .seconds(40))
        #expect(try fixture.upstreamMain() == base)
    }
}
