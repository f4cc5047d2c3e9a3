import Cumin
import Foundation
import Testing

@testable import Scap

@Test(arguments: ["plain", "it's", "$HOME `id` $(id)", "back\\slash \"dq\"", "new\nline", "", "'", "a b\tc*?"])
func shellQuoteRoundTripsThroughSh(value: String) throws {
    let output = try runShell("printf %s " + shellSingleQuoted(value))
    #expect(output.stdout == value)
}

@Test func layoutMatchesScap() {
    let layout = TargetLayout(repo: "services/foo", deployDirectory: "/srv/deployment/")
    #expect(layout.finalPath == "/srv/deployment/services/foo")
    #expect(layout.cacheDirectory == "/srv/deployment/services/foo-cache/cache")
    #expect(layout.revisionDirectory("abc") == "/srv/deployment/services/foo-cache/revs/abc")
    #expect(layout.currentLink == "/srv/deployment/services/foo-cache/current")
    #expect(layout.inProgressLink == "/srv/deployment/services/foo-cache/.in-progress")
    #expect(layout.doneLink == "/srv/deployment/services/foo-cache/.done")
}

@Test func planRejectsShortRevisionAndClimbingRepo() {
    let sha = String(repeating: "a", count: 40)
    #expect(throws: TargetPlanError.self) {
        _ = try TargetStagePlan(repo: "r", revision: "abc123", gitURL: "file:///x")
    }
    do {
        _ = try TargetStagePlan(repo: "../etc", revision: sha, gitURL: "file:///x")
        Issue.record("accepted a climbing repo")
    } catch {
        #expect(error.field == "repo" && error.description.contains("'../etc'"))
    }
    #expect((try? TargetStagePlan(repo: "r", revision: sha, gitURL: "file:///x", cacheRevs: 0)) == nil)
}

@Test func statusParsesTheLastStatusLine() {
    let text = """
        noise
        {"scap_stage":"fetch","status":"ok","rev":"a","message":"old"}
        {"scap_stage":"fetch","status":"noop","rev":"b","message":"x \\"y\\"\\nz"}
        """
    let status = TargetStageStatus.parse(text)
    #expect(status == TargetStageStatus(stage: "fetch", status: .noop, revision: "b", message: "x \"y\"\nz"))
    #expect(TargetStageStatus.parse("no status") == nil)
}

/// Runs stages locally with `sh` (no SSH) under a deploy directory whose name needs quoting.
struct LocalTarget {
    var root: String
    var fixture: GitFixture

    init(versions: Int) throws {
        root = NSTemporaryDirectory() + "scap target 'odd' $dir `x` \(UUID().uuidString.prefix(6))"
        fixture = try GitFixture(versions: versions)
    }

    func plan(_ version: Int, repo: String = "my repo's", cacheRevs: Int = 5, checks: [TargetCheck] = [])
        throws -> TargetStagePlan
    {
        try TargetStagePlan(
            repo: repo, deployDirectory: root, revision: fixture.commits[version - 1], gitURL: fixture.url,
            cacheRevs: cacheRevs, checks: checks)
    }

    func run(_ stage: DeployStage, _ plan: TargetStagePlan) throws -> TargetStageStatus {
        let output = try runShell(TargetScript.render(stage, plan: plan))
        guard let status = TargetStageStatus.parse(output.stdout) else {
            throw TargetTestFailure("no status: \(output.stdout) \(output.stderr)")
        }
        #expect(output.stdout.split(separator: "\n").count == 1, "stdout carries only the status line")
        #expect((output.status == 0) == (status.status != .failed))
        return status
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
        fixture.remove()
    }
}

@Test func oddPathsAreQuotedThroughFetchPromoteFinalize() throws {
    let target = try LocalTarget(versions: 1)
    defer { target.remove() }
    let plan = try target.plan(1)
    #expect(try target.run(.fetch, plan).status == .ok)
    #expect(try target.run(.promote, plan).status == .ok)
    #expect(try target.run(.finalize, plan).status == .ok)
    let layout = plan.layout
    let fm = FileManager.default
    #expect(try fm.destinationOfSymbolicLink(atPath: layout.finalPath) == layout.revisionDirectory(plan.revision))
    #expect(try fm.destinationOfSymbolicLink(atPath: layout.doneLink) == layout.revisionDirectory(plan.revision))
    #expect(!fm.fileExists(atPath: layout.inProgressLink))
    #expect(try String(contentsOfFile: layout.finalPath + "/version.txt", encoding: .utf8) == "v1\n")
}

@Test func finalizePrunesBeyondCacheRevsButKeepsCurrentAndDone() throws {
    let target = try LocalTarget(versions: 4)
    defer { target.remove() }
    // v1 is promoted and stays current; v2, v3, v4 are fetched after it; cache_revs 2.
    let first = try target.plan(1, repo: "r", cacheRevs: 2)
    _ = try target.run(.fetch, first)
    _ = try target.run(.promote, first)
    for version in 2...4 {
        usleep(20_000)
        _ = try target.run(.fetch, try target.plan(version, repo: "r", cacheRevs: 2))
    }
    let status = try target.run(.finalize, try target.plan(4, repo: "r", cacheRevs: 2))
    #expect(status.status == .ok)
    let revs = try FileManager.default.contentsOfDirectory(atPath: first.layout.revsDirectory).sorted()
    let commits = target.fixture.commits
    // Newest two (v4, v3) kept, v2 pruned, v1 kept because it is current.
    #expect(revs == [commits[0], commits[2], commits[3]].sorted())
    #expect(status.message.contains(commits[1]))
}

@Test func checkFailureMessageKeepsOutputIntactInJSON() throws {
    let target = try LocalTarget(versions: 1)
    defer { target.remove() }
    let check = TargetCheck(
        name: "smoke 'test'", command: #"echo "bad \"quote\" \\ back"; echo second line; exit 3"#, stage: .fetch,
        timing: .after)
    let status = try target.run(.fetch, try target.plan(1, checks: [check]))
    #expect(status.status == .failed)
    #expect(status.message == "Check 'smoke 'test'' failed: bad \"quote\" \\ back\nsecond line")
}

@Test func beforeCheckTimeoutPreventsTheStage() throws {
    let target = try LocalTarget(versions: 1)
    defer { target.remove() }
    let check = TargetCheck(name: "slow", command: "sleep 30", stage: .fetch, timing: .before, timeout: 0.5)
    let plan = try target.plan(1, checks: [check])
    let started = Date()
    let status = try target.run(.fetch, plan)
    #expect(Date().timeIntervalSince(started) < 10)
    #expect(status.status == .failed && status.message.hasPrefix("Check 'slow' failed: timed out"))
    #expect(!FileManager.default.fileExists(atPath: plan.layout.revsDirectory))
}

@Test func rollbackWithoutDoneFails() throws {
    let target = try LocalTarget(versions: 1)
    defer { target.remove() }
    let status = try target.run(.rollback, try target.plan(1))
    #expect(status.status == .failed && status.message == "there is no previous revision to rollback to")
}

@Test func afterChecksSkippedOnNoop() throws {
    let target = try LocalTarget(versions: 1)
    defer { target.remove() }
    let marker = target.root + "-marker"
    defer { try? FileManager.default.removeItem(atPath: marker) }
    let check = TargetCheck(
        name: "count", command: "echo x >> \(shellSingleQuoted(marker))", stage: .fetch, timing: .after)
    let plan = try target.plan(1, checks: [check])
    #expect(try target.run(.fetch, plan).status == .ok)
    #expect(try target.run(.fetch, plan).status == .noop)
    var forced = plan
    forced.force = true
    #expect(try target.run(.fetch, forced).status == .ok)
    #expect(try String(contentsOfFile: marker, encoding: .utf8) == "x\nx\n")
}
