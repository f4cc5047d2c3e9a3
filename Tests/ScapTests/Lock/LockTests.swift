import Foundation
import TestBed
import Testing
import Wmflib

@testable import Scap

/// `scap lock`: the global lock's holder record, the unlock handshake, and the executable holding, releasing and
/// force-releasing locks as a child process.
@Suite struct LockTests {
    var scap: String { productPath("scap") }

    // MARK: library

    @Test func globalLockRecordsItsHolderForWaitingDeploys() async throws {
        let tree = TempTree()
        let global = try await GlobalLock.acquire(path: tree.path("global.lock"), reason: "switchover")
        #expect(DeployLock.holder(at: global.path) == global.holder)
        let console = ConsoleLines()
        await #expect(throws: DeployLockError.self) {
            _ = try await DeployLock.acquire(
                path: tree.path("repo.lock"), globalPath: global.path, reason: "deploy", timeout: .zero,
                notify: console.print)
        }
        #expect(console.all == [global.holder.busyMessage(name: global.path)])
        #expect(console.all.first?.contains("reason is \"switchover\"") == true)
        global.release()
        #expect(try String(contentsOfFile: global.path, encoding: .utf8) == "{}")
        #expect(!GlobalLock.isHeldExclusively(path: global.path))
        let deploy = try await DeployLock.acquire(
            path: tree.path("repo.lock"), globalPath: global.path, reason: "deploy", timeout: .zero)
        deploy.release()
    }

    @Test func aWaitingDeploySaysItIsStillWaiting() async throws {
        let tree = TempTree()
        let first = try await DeployLock.acquire(
            path: tree.path("repo.lock"), globalPath: tree.path("global.lock"), reason: "first")
        let console = ConsoleLines()
        let (repoLock, globalLock) = (tree.path("repo.lock"), tree.path("global.lock"))
        let second = Task {
            try await DeployLock.acquire(
                path: repoLock, globalPath: globalLock, reason: "second",
                timeout: .seconds(60), pollInterval: .milliseconds(50), reminderInterval: .milliseconds(300),
                notify: console.print)
        }
        // Bounded: on a loaded machine the waiting task may be scheduled late, which only delays the reminder.
        let deadline = ContinuousClock.now + .seconds(30)
        while !console.all.contains(where: { $0.hasPrefix("Still waiting for") }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        first.release()
        try await second.value.release()
        let lines = console.all
        #expect(lines.first?.contains("reason is \"first\"") == true)
        let reminders = lines.dropFirst()
        #expect(!reminders.isEmpty, "\(lines)")
        for reminder in reminders {
            #expect(reminder.hasPrefix("Still waiting for \(tree.path("repo.lock")): 00m "), "\(reminder)")
            #expect(reminder.hasSuffix(" of 01m 00s"), "\(reminder)")
        }
    }

    @Test func remindersComeOncePerIntervalUntilTheTimeout() {
        var wait = LockWait(timeout: .seconds(600), reminderInterval: .seconds(30))
        let start = wait.started
        #expect(wait.reminder(path: "/l", now: start + .seconds(10)) == nil)
        #expect(wait.reminder(path: "/l", now: start + .seconds(31)) == "Still waiting for /l: 00m 31s of 10m 00s")
        #expect(wait.reminder(path: "/l", now: start + .seconds(40)) == nil)
        // Missed intervals (a late wake-up) give one reminder, not a burst.
        #expect(wait.reminder(path: "/l", now: start + .seconds(125)) == "Still waiting for /l: 02m 05s of 10m 00s")
        #expect(wait.reminder(path: "/l", now: start + .seconds(140)) == nil)
        #expect(wait.reminder(path: "/l", now: start + .seconds(600)) == nil, "none once the timeout has passed")
        var never = LockWait(timeout: .seconds(600), reminderInterval: .zero)
        #expect(never.reminder(path: "/l", now: never.started + .seconds(60)) == nil)
    }

    @Test func globalLockWaitsForDeploysAndIgnoresAStaleHolder() async throws {
        let tree = TempTree()
        let dead = DeployLockHolder(locker: "ghost", pid: Int(Int32.max), timestampUTC: "2020-01-01 00:00:00", reason: "x")
        tree.write("global.lock", dead.json)
        let deploy = try await DeployLock.acquire(
            path: tree.path("repo.lock"), globalPath: tree.path("global.lock"), reason: "deploy")
        defer { deploy.release() }
        let console = ConsoleLines()
        await #expect(throws: DeployLockError.self) {
            _ = try await GlobalLock.acquire(
                path: tree.path("global.lock"), reason: "all", timeout: .milliseconds(200),
                pollInterval: .milliseconds(50), notify: console.print)
        }
        #expect(console.all == ["\(tree.path("global.lock")) is held by running deploys or repository locks; "
            + "waiting for them to finish"])
        #expect(!GlobalLock.isHeldExclusively(path: tree.path("global.lock")))
    }

    @Test func unlockRequestIsAddressedToOneHolderAndTimesOutWithoutAnswer() async throws {
        let tree = TempTree()
        let holder = DeployLockHolder(locker: "alice", pid: 42, timestampUTC: "2026-01-01 10:00:00", reason: "r")
        var later = holder
        later.timestampUTC = "2026-01-01 11:00:00"
        let request = GlobalUnlockRequest(requester: .current(reason: "why"), holder: holder)
        #expect(GlobalUnlockRequest(json: request.json) == request)
        #expect(request.isAddressed(to: holder))
        #expect(!request.isAddressed(to: later))
        let handshake = GlobalUnlockHandshake(directory: tree.root)
        #expect(GlobalUnlockHandshake(directory: nil, environment: ["SCAP_LOCK_HANDSHAKE_DIR": tree.root]).directory
            == tree.root)
        #expect(
            GlobalUnlockHandshake(directory: nil, environment: [:]).requestPath
                == ScapLockDirectory().path + "/scap-unlock-global")
        do {
            try await handshake.send(request, timeout: .milliseconds(200), pollInterval: .milliseconds(50))
            Issue.record("expected no answer")
        } catch {
            #expect(error.message.contains("did not release it"))
            #expect(error.message.contains("kill 42"))
        }
        #expect(!FileManager.default.fileExists(atPath: handshake.requestPath))
    }

    @Test func sessionHoldsTheLockUntilTheTriggerFires() async throws {
        let tree = TempTree()
        let console = ConsoleLines()
        #expect(throws: DeployError.missingReason) {
            _ = try LockSession(scope: .allDeploys, reason: " \n", config: ScapConfig(), console: console.print)
        }
        let session = try LockSession(
            scope: .repository(name: "web", lockFile: tree.path("repo.lock")), reason: " trimmed ",
            config: ScapConfig(), globalLockPath: tree.path("global.lock"), pollInterval: .milliseconds(50),
            console: console.print)
        let trigger = LockReleaseTrigger()
        let released = Task { try await session.run(until: trigger) }
        for _ in 0..<200 where DeployLock.holder(at: tree.path("repo.lock")) == nil {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(DeployLock.holder(at: tree.path("repo.lock"))?.reason == "trimmed")
        trigger.fire(.enter)
        #expect(try await released.value == .enter)
        #expect(console.all == [
            "Locked web (\(tree.path("repo.lock"))); press Enter to release", "Released the lock of web (Enter pressed)",
        ])
        #expect(DeployLock.holder(at: tree.path("repo.lock")) == nil)
    }

    // MARK: the executable

    @Test func usageErrorsExitTwo() async throws {
        let tree = TempTree()
        let noReason = try await run(["lock"], in: tree.root)
        #expect(noReason.status == 2)
        #expect(noReason.stderr.contains("a reason is required"))
        let blank = try await run(["lock", "--all", "  "], in: tree.root)
        #expect(blank.status == 2)
        let background = try await run(["lock", "--all", "--bg", "maintenance"], in: tree.root)
        #expect(background.status == 2)
        #expect(background.stderr.contains("--bg is not supported"))
        #expect(background.stderr.contains("tmux or screen"))
        let timeout = try await run(["lock", "--lock-timeout", "4000", "r"], in: tree.root)
        #expect(timeout.status == 2)
        #expect(try await run(["lock", "--no-such-option", "r"], in: tree.root).status == 2)
        let noRepository = try await run(["lock", "some reason"], in: tree.root)
        #expect(noRepository.status == 1)
        #expect(noRepository.stderr.contains("Deployment configuration not found"))
        let nothingHeld = try await run(
            ["lock", "--unlock-all", "--yes", "--global-lock", tree.path("global.lock"), "r"], in: tree.root)
        #expect(nothingHeld.status == 1)
        #expect(nothingHeld.stderr.contains("is not held exclusively"))
    }

    @Test func lockHoldsTheRepositoryLockUntilEnterAndAnnouncesIt() async throws {
        let relay = try TCPListener()
        defer { relay.stop() }
        relay.accept(count: 2)
        let tree = TempTree()
        tree.write(
            "scap/scap.cfg",
            "[global]\ngit_repo: citoid/deploy\nlock_file: \(tree.path("repo.lock"))\n"
                + "tcpircbot_host: 127.0.0.1\ntcpircbot_port: \(relay.port)\n")
        let holder = try RunningProcess(
            scap, ["lock", "--global-lock", tree.path("global.lock"), "testing", "the", "lock"],
            environment: scapTestEnvironment, currentDirectory: tree.root)
        defer { holder.kill() }
        #expect(await holder.waitFor("press Enter to release"), "\(holder.stderr)")
        #expect(holder.stdout.contains("Locked citoid/deploy (\(tree.path("repo.lock")))"))

        let console = ConsoleLines()
        await #expect(throws: DeployLockError.self) {
            _ = try await DeployLock.acquire(
                path: tree.path("repo.lock"), globalPath: tree.path("global.lock"), reason: "deploy",
                timeout: .zero, notify: console.print)
        }
        let busy = try #require(console.all.first)
        #expect(busy.contains("is locked by \(ScapConfig.currentUserName) (pid \(holder.pid))"))
        #expect(busy.hasSuffix("reason is \"testing the lock\""))

        holder.send("\n")
        let output = await holder.finish(timeout: 30, closingInput: false)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("Released the lock of citoid/deploy (Enter pressed)"))
        let deploy = try await DeployLock.acquire(
            path: tree.path("repo.lock"), globalPath: tree.path("global.lock"), reason: "deploy", timeout: .zero)
        deploy.release()

        let messages = await announcements(relay, count: 2)
        let prefix = "!log \(ScapConfig.currentUserName)@\(currentHostname())"
        #expect(messages == ["\(prefix) Locking citoid/deploy: testing the lock",
                             "\(prefix) Unlocking citoid/deploy: testing the lock"])
    }

    @Test func sigtermReleasesTheLock() async throws {
        let tree = TempTree()
        tree.write("scap/scap.cfg", "[global]\ngit_repo: web\nlock_file: \(tree.path("repo.lock"))\n")
        let holder = try RunningProcess(
            scap, ["lock", "--global-lock", tree.path("global.lock"), "hands off"], environment: scapTestEnvironment,
            currentDirectory: tree.root)
        defer { holder.kill() }
        #expect(await holder.waitFor("press Enter to release"), "\(holder.stderr)")
        holder.signal(SIGTERM)
        let output = await holder.finish(timeout: 30, closingInput: false)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("Released the lock of web (SIGTERM)"))
        #expect(try String(contentsOfFile: tree.path("repo.lock"), encoding: .utf8) == "{}")
    }

    @Test func aBusyLockIsWaitedForNamingItsHolderAndCtrlCStopsTheWait() async throws {
        let tree = TempTree()
        tree.write("scap/scap.cfg", "[global]\ngit_repo: web\nlock_file: \(tree.path("repo.lock"))\n")
        let deploy = try await DeployLock.acquire(
            path: tree.path("repo.lock"), globalPath: tree.path("global.lock"), reason: "deploying v7")
        defer { deploy.release() }
        let arguments = ["lock", "--global-lock", tree.path("global.lock"), "--lock-timeout", "60", "r"]
        let waiting = try RunningProcess(scap, arguments, environment: scapTestEnvironment, currentDirectory: tree.root)
        defer { waiting.kill() }
        #expect(await waiting.waitFor("reason is \"deploying v7\""), "\(waiting.stderr)")
        #expect(waiting.stdout.contains("\(tree.path("repo.lock")) is locked by \(ScapConfig.currentUserName) (pid \(getpid()))"))
        let started = ContinuousClock.now
        waiting.signal(SIGINT)
        let output = await waiting.finish(timeout: 30, closingInput: false)
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(output.status != 0)
        #expect(!output.stdout.contains("press Enter"))

        let timeout = try await run(
            ["lock", "--global-lock", tree.path("global.lock"), "--lock-timeout", "0", "r"], in: tree.root)
        #expect(timeout.status == 1)
        #expect(timeout.stderr.contains("Failed to acquire lock after waiting for 0 second(s)"))
    }

    @Test func lockAllBlocksDeploysUntilForceReleased() async throws {
        let relay = try TCPListener()
        defer { relay.stop() }
        relay.accept(count: 2)
        let tree = TempTree()
        let global = tree.path("global.lock")
        let common = [
            "--global-lock", global, "--handshake-dir", tree.root, "-D", "tcpircbot_host:127.0.0.1",
            "-D", "tcpircbot_port:\(relay.port)",
        ]
        let holder = try RunningProcess(
            scap, ["lock", "--all"] + common + ["maintenance window"], environment: scapTestEnvironment, currentDirectory: tree.root)
        defer { holder.kill() }
        #expect(await holder.waitFor("press Enter to release"), "\(holder.stderr)")
        #expect(holder.stdout.contains("Locked all deploys (\(global))"))

        // A deploy of any repository waits, told who holds the global lock.
        let console = ConsoleLines()
        await #expect(throws: DeployLockError.self) {
            _ = try await DeployLock.acquire(
                path: tree.path("repo.lock"), globalPath: global, reason: "deploy", timeout: .milliseconds(300),
                pollInterval: .milliseconds(50), notify: console.print)
        }
        let busy = try #require(console.all.first)
        #expect(busy.hasPrefix("\(global) is locked by \(ScapConfig.currentUserName) (pid \(holder.pid))"))
        #expect(busy.hasSuffix("reason is \"maintenance window\""))

        // Without a terminal and without --yes, nothing is forced.
        let refused = try await run(["lock", "--unlock-all"] + common + ["need", "to", "deploy"], in: tree.root)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("pass --yes"))
        #expect(holder.isRunning)

        let unlock = try await run(["lock", "--unlock-all", "--yes"] + common + ["need", "to", "deploy"], in: tree.root)
        #expect(unlock.status == 0, "\(unlock.stderr)")
        #expect(unlock.stdout.contains("Force-released the global lock held by \(ScapConfig.currentUserName)"))
        let output = await holder.finish(timeout: 30, closingInput: false)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("The global lock was force-released by \(ScapConfig.currentUserName)"))
        #expect(output.stdout.contains("reason is \"need to deploy\""))
        let deploy = try await DeployLock.acquire(
            path: tree.path("repo.lock"), globalPath: global, reason: "deploy", timeout: .zero)
        deploy.release()
        let handshake = GlobalUnlockHandshake(directory: tree.root)
        #expect(!FileManager.default.fileExists(atPath: handshake.requestPath))
        #expect(!FileManager.default.fileExists(atPath: handshake.removedPath))

        let messages = await announcements(relay, count: 2)
        let prefix = "!log \(ScapConfig.currentUserName)@\(currentHostname())"
        #expect(messages == ["\(prefix) Locking all deploys: maintenance window",
                             "\(prefix) Force-released the global lock: need to deploy "
                                + "(it was held by \(ScapConfig.currentUserName): maintenance window)"])
    }

    // MARK: helpers

    /// Runs `scap` to its end (killed after 60 s) with an empty, non-terminal standard input.
    private func run(_ arguments: [String], in directory: String) async throws -> RunningProcess.Output {
        let child = try RunningProcess(scap, arguments, environment: scapTestEnvironment, currentDirectory: directory)
        defer { child.kill() }
        return await child.finish(timeout: 60)
    }

    /// The messages the relay received, once `count` arrived or 10 s passed; polls without blocking a thread.
    private func announcements(_ relay: TCPListener, count: Int) async -> [String] {
        for _ in 0..<200 {
            let received = relay.messages(count: count, timeout: .zero)
            if received.count >= count { return received }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return relay.messages(count: count, timeout: .zero)
    }
}
