import Foundation
import Testing

@testable import Scap

/// scap's locks and unlock handshake live in a directory of the deploy group, not in a directory every local
/// user can write to (where anyone could take the global lock first, or ask for an unlock).
@Suite struct LockDirectoryTests {
    @Test func aLockFileInAWorldWritableDirectoryIsRefused() async throws {
        let tree = TempTree()
        let open = tree.path("open")
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true)
        chmod(open, 0o1777)
        do {
            let lock = try await DeployLock.acquire(
                path: open + "/repo.lock", globalPath: tree.path("global.lock"), reason: "deploy", timeout: .zero)
            lock.release()
            Issue.record("a lock in a world-writable directory was taken")
        } catch {
            #expect(error.path == open + "/repo.lock")
            #expect(error.message.contains("writable by every user"), "\(error)")
        }
        do {
            let lock = try await DeployLock.acquire(
                path: tree.path("repo.lock"), globalPath: open + "/global.lock", reason: "deploy", timeout: .zero)
            lock.release()
            Issue.record("a global lock in a world-writable directory was taken")
        } catch {
            #expect(error.path == open + "/global.lock")
        }
    }

    @Test func theLockDirectoryIsCreatedForTheGroupAndConfigurable() throws {
        let tree = TempTree()
        let group = String(cString: getgrgid(getegid()).pointee.gr_name)
        let directory = ScapLockDirectory(environment: [
            ScapLockDirectory.pathVariable: tree.path("locks"), ScapLockDirectory.groupVariable: group,
        ])
        #expect(directory.mode == 0o770)
        try directory.prepare()
        let attributes = try FileManager.default.attributesOfItem(atPath: tree.path("locks"))
        #expect(attributes[.posixPermissions] as? Int == 0o770)
        #expect((attributes[.groupOwnerAccountID] as? NSNumber)?.uint32Value == getegid())
        #expect(directory.globalLockPath == tree.path("locks") + "/scap-global-lock")
        #expect(directory.repositoryLockPath("citoid/deploy") == tree.path("locks") + "/scap.citoid_deploy.lock")
        let custom = ScapLockDirectory(environment: [ScapLockDirectory.modeVariable: "750"])
        #expect(custom.mode == 0o750)
        #expect(custom.path == "/var/lock/scap")
        // The defaults no longer point into /var/lock or /tmp themselves.
        #expect(ScapLockDirectory(environment: [:]).globalLockPath == "/var/lock/scap/scap-global-lock")
        let config = ScapConfig(values: ["git_repo": .string("citoid/deploy")])
        #expect(config.lockFile == ScapLockDirectory().repositoryLockPath("citoid/deploy"))
    }

    @Test func anUnlockRequestInAWorldWritableDirectoryIsIgnoredAndNotSent() async throws {
        let tree = TempTree()
        chmod(tree.root, 0o1777)
        let holder = DeployLockHolder.current(reason: "holding")
        let request = GlobalUnlockRequest(requester: .current(reason: "why"), holder: holder)
        try request.json.write(toFile: tree.path("scap-unlock-global"), atomically: true, encoding: .utf8)
        let handshake = GlobalUnlockHandshake(directory: tree.root)
        #expect(handshake.pendingRequest(for: holder) == nil)
        await #expect(throws: DeployError.self) {
            try await handshake.send(request, timeout: .milliseconds(100), pollInterval: .milliseconds(20))
        }
        chmod(tree.root, 0o755)
        #expect(handshake.pendingRequest(for: holder) == request)
    }
}
