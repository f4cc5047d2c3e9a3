import Foundation
import Testing

@testable import Scap

@Suite struct DeployLockTests {
    @Test func holderIsWrittenWhileHeldAndClearedOnRelease() async throws {
        let tree = TempTree()
        let lock = try await DeployLock.acquire(
            path: tree.path("repo.lock"), globalPath: tree.path("global.lock"), reason: "deploying v2")
        let holder = try #require(DeployLock.holder(at: lock.path))
        #expect(holder.reason == "deploying v2")
        #expect(holder.pid == Int(getpid()))
        #expect(holder.locker == ScapConfig.currentUserName)
        #expect(holder.timestampUTC.count == 19)
        lock.release()
        #expect(try String(contentsOfFile: tree.path("repo.lock"), encoding: .utf8) == "{}")
        lock.release()  // a second release does nothing
    }

    @Test func busyLockReportsTheHolderOnceThenTimesOut() async throws {
        let tree = TempTree()
        let held = try await DeployLock.acquire(
            path: tree.path("repo.lock"), globalPath: tree.path("global.lock"), reason: "holding it")
        defer { held.release() }
        let console = ConsoleLines()
        let started = ContinuousClock.now
        await #expect(throws: DeployLockError.self) {
            _ = try await DeployLock.acquire(
                path: tree.path("repo.lock"), globalPath: tree.path("global.lock"), reason: "second",
                timeout: .seconds(1), pollInterval: .milliseconds(50), notify: console.print)
        }
        #expect(ContinuousClock.now - started >= .seconds(1))
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(console.all.count == 1)
        #expect(console.all.first?.hasPrefix("\(tree.path("repo.lock")) is locked by ") == true)
        #expect(console.all.first?.hasSuffix("; reason is \"holding it\"") == true)
        #expect(console.all.first?.contains("(pid \(getpid())) on ") == true)
    }

    @Test func timeoutMessageNamesTheWait() async throws {
        let tree = TempTree()
        let held = try await DeployLock.acquire(
            path: tree.path("repo.lock"), globalPath: tree.path("global.lock"), reason: "r")
        defer { held.release() }
        do {
            _ = try await DeployLock.acquire(
                path: tree.path("repo.lock"), globalPath: tree.path("global.lock"), reason: "r", timeout: .zero)
            Issue.record("expected the lock to be busy")
        } catch {
            #expect(error.message == "Failed to acquire lock after waiting for 0 second(s)")
        }
        #expect(DeployLock.describe(.seconds(600)) == "10 minute(s)")
    }

    @Test func waitingDeploySucceedsWhenTheHolderReleases() async throws {
        let tree = TempTree()
        let held = try await DeployLock.acquire(
            path: tree.path("repo.lock"), globalPath: tree.path("global.lock"), reason: "r")
        Task {
            try await Task.sleep(for: .milliseconds(300))
            held.release()
        }
        let lock = try await DeployLock.acquire(
            path: tree.path("repo.lock"), globalPath: tree.path("global.lock"), reason: "after", timeout: .seconds(10),
            pollInterval: .milliseconds(50))
        #expect(DeployLock.holder(at: lock.path)?.reason == "after")
        lock.release()
    }

    @Test func exclusiveGlobalLockBlocksDeploys() async throws {
        let tree = TempTree()
        let global = open(tree.path("global.lock"), O_RDWR | O_CREAT, 0o644)
        #expect(flock(global, LOCK_EX | LOCK_NB) == 0)
        defer { close(global) }
        await #expect(throws: DeployLockError.self) {
            _ = try await DeployLock.acquire(
                path: tree.path("repo.lock"), globalPath: tree.path("global.lock"), reason: "r",
                timeout: .milliseconds(200), pollInterval: .milliseconds(50))
        }
    }

    @Test func deploymentReportsTheHolderAndFailsAfterTheConfiguredTimeout() async throws {
        let repo = try DeployRepoFixture(groups: [("default", ["host1"])])
        let config = try repo.config()
        let held = try await DeployLock.acquire(
            path: try #require(config.lockFile), globalPath: repo.tree.path("global.lock"), reason: "hands off")
        defer { held.release() }
        let console = ConsoleLines()
        let executor = FakeStageExecutor()
        let deployment = Deployment(
            request: repo.request(), config: config, executor: executor, console: console.print)
        do {
            _ = try await deployment.run()
            Issue.record("expected the deploy to fail on the lock")
        } catch {
            #expect(error.message == "Failed to acquire lock after waiting for 1 second(s)")
        }
        #expect(console.all.contains { $0.contains("is locked by") && $0.contains("reason is \"hands off\"") })
        #expect(executor.calls.isEmpty)
    }
}
