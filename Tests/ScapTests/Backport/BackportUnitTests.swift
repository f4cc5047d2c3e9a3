import Foundation
import Testing

@testable import Scap

/// The parts of `scap backport` that need no server: httpbb parsing, the gate's decision, ordering and checks.
@Suite struct BackportUnitTests {
    @Test func httpbbFilesParseAndProblemsNameTheLine() throws {
        let suite = try SmokeTestSuite(
            parsing: """
                https://en.wikipedia.org:
                - path: /wiki/Main_Page
                  assert_body_contains: Welcome
                - path: /old
                  method: POST
                  form_body: "a=1"
                  assert_status: 301
                  assert_location: /new
                  assert_headers_absent: [Set-Cookie]
                """, path: "smoke.yaml")
        #expect(suite.tests.count == 2)
        #expect(suite.tests[0].status == 200)
        #expect(suite.tests[0].title == "GET https://en.wikipedia.org/wiki/Main_Page")
        #expect(suite.tests[1].method == "POST" && suite.tests[1].location == "/new")
        #expect(suite.tests[1].headersAbsent == ["Set-Cookie"])
        #expect(throws: BackportError.self) { try SmokeTestSuite(parsing: "x: 1\n", path: "s.yaml") }
        do {
            _ = try SmokeTestSuite(parsing: "http://a.org:\n- path: /\n  assert_stauts: 200\n", path: "s.yaml")
            Issue.record("an unknown key must be refused")
        } catch {
            #expect(error.message.hasPrefix("s.yaml:3: unknown key 'assert_stauts'"), "\(error.message)")
        }
        do {
            _ = try SmokeTestSuite(parsing: "http://a.org:\n- path: /\n  assert_body_regex: '('\n", path: "s.yaml")
            Issue.record("a bad regex must be refused")
        } catch {
            #expect(error.message.contains("is not a valid regular expression"))
        }
    }

    @Test func theGateComparesWithTheBaselineAndTheFloor() {
        let gate = ErrorRateGate(prometheusURL: "http://127.0.0.1:1")
        func decide(_ errors: Double, _ requests: Double, _ baseErrors: Double, _ baseRequests: Double)
            -> ErrorRateGate.Outcome
        {
            gate.decide(
                "canary", errors: errors, requests: requests, baselineErrors: baseErrors,
                baselineRequests: baseRequests, window: 20, hasBaseline: true
            ).outcome
        }
        #expect(decide(50, 100, 0, 300) == .fail)
        #expect(decide(0, 100, 0, 300) == .pass)
        #expect(decide(5, 100, 10, 300) == .pass, "5% is under 2x the baseline's 3.3%")
        #expect(decide(8, 100, 10, 300) == .fail)
        #expect(decide(0.5, 100, 0, 300) == .pass, "under the 1% floor")
        #expect(decide(5, 10, 0, 300) == .inconclusive)
        var absolute = gate
        absolute.absoluteThreshold = 10
        #expect(
            absolute.decide(
                "canary", errors: 10, requests: 1, baselineErrors: 0, baselineRequests: 0, window: 20,
                hasBaseline: false
            ).outcome == .fail)
        #expect(
            absolute.decide(
                "canary", errors: 9, requests: 1000, baselineErrors: 0, baselineRequests: 0, window: 20,
                hasBaseline: false
            ).outcome == .pass)
        #expect(ErrorRateGate.hostPattern(["mw1.eqiad.wmnet", "mw2"]) == #"mw1\\.eqiad\\.wmnet|mw2"#)
        #expect(
            gate.query(ErrorRateGate.defaultErrorsQuery, hosts: ["a"], window: 20)
                == #"sum(increase(http_requests_total{host=~"a",code=~"5.."}[20s]))"#)
    }

    @Test func changesAreOrderedAfterTheirDependenciesAndProblemsAreCollected() {
        let a = BackportChange(id: "1", commit: "a", subject: "A", owner: "o", branch: "main", status: .new)
        let b = BackportChange(
            id: "2", commit: "b", subject: "B", owner: "o", branch: "main", status: .new, dependencies: ["a"])
        let c = BackportChange(
            id: "3", commit: "c", subject: "C", owner: "o", branch: "wmf/1", status: .abandoned, dependencies: ["z"])
        #expect(ChangeProblems.ordered([b, a]).map(\.id) == ["1", "2"])
        #expect(ChangeProblems.check([a, b], deployBranch: "main").problems.isEmpty)
        let problems = ChangeProblems.check([c], deployBranch: "main").problems
        #expect(problems.count == 3)
        #expect(GerritChangeSource.decode(")]}'\n{\"a\":1}") as? [String: Int] == ["a": 1])
        #expect(GerritChangeSource.changeNumber("https://gerrit.example.org/r/c/web/+/12345") == "12345")
        #expect(!GitChangeSource.isSafeRefName("--upload-pack=x"))
        #expect(GitChangeSource.isSafeRefName("wmf/1.45.0-wmf.3"))
    }

    func sync(_ executor: FakeStageExecutor, _ prompter: any BackportPrompter) -> BackportSync {
        let groups = [
            DeployGroup(name: "testservers", hosts: ["t1"], targetList: "t", failureLimit: .percent(0)),
            DeployGroup(name: "canary", hosts: ["c1"], targetList: "c", failureLimit: .percent(0)),
            DeployGroup(name: "production", hosts: ["p1", "p2"], targetList: "p", failureLimit: .percent(0)),
        ]
        return BackportSync(
            groups: BackportSync.Groups(groups), stages: [.fetch, .promote], executor: executor,
            plan: { _, _ throws(TargetPlanError) in
                try TargetStagePlan(repo: "web", revision: String(repeating: "a", count: 40), gitURL: "file:///x")
            }, prompter: prompter, console: BackportConsole(line: { _, _ in }), log: DeployEventLog(console: { _ in }))
    }

    @Test func withNoUserContinueIsNoAndTheTestServersAreRolledBack() async throws {
        let executor = FakeStageExecutor()
        let outcome = try await sync(executor, DefaultAnswersBackportPrompter()).run()
        #expect(!outcome.succeeded && outcome.rolledBack)
        #expect(
            executor.calls.map { "\($0.stage) \($0.hosts)" } == [
                "fetch [\"t1\"]", "promote [\"t1\"]", "rollback [\"t1\"]",
            ])
    }

    @Test func aFailedGroupCanBeRetriedIgnoredOrLeftWithoutRollback() async throws {
        let failing = FakeStageExecutor(failing: [.promote: ["c1"]])
        let retried = ScriptedBackportPrompter([
            ("Continue with deployment?", "y"), ("canary: sync failed", "r"), ("canary: sync failed", "i"),
        ])
        let outcome = try await sync(failing, retried).run()
        #expect(outcome.succeeded, "ignored after a retry")
        #expect(outcome.ignored == ["canary: sync failed: 1 of 1 canary targets failed (c1), exceeding limit"])
        #expect(failing.calls.filter { $0.stage == .promote && $0.hosts == ["c1"] }.count == 2)
        #expect(failing.calls.last?.stage == .finalize)

        let left = FakeStageExecutor(failing: [.promote: ["c1"]])
        let exit = ScriptedBackportPrompter([("Continue with deployment?", "y"), ("canary: sync failed", "e")])
        let stopped = try await sync(left, exit).run()
        #expect(!stopped.succeeded && !stopped.rolledBack)
        #expect(!left.calls.contains { $0.stage == .rollback || $0.stage == .finalize })
        #expect(!exit.asked.contains(BackportSync.rollbackAcknowledgement))
    }
}
