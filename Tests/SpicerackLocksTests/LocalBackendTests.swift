import TestBed
import Foundation
import SpicerackLocks
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What only the local backend does: files, permissions, PID checks, the `flock` shared with other processes.
@Suite("Local backend")
struct LocalBackendTests {
    @Test("one readable JSON file per key in a 0700 directory, removed when the last holder leaves")
    func files() async throws {
        let directory = try TemporaryDirectory("spicerack-locks-tests")
        defer { directory.remove() }
        let backend = LocalLockBackend(directory: directory.path + "/locks")
        let key = try LockKey(prefix: .cookbooks, name: "sre.demo:db1001")
        let holder = makeHolder(label: "sre.demo")
        #expect(acquired(try await backend.acquire(key: key, holder: holder)))
        let file = backend.directory + "/cookbooks/sre.demo:db1001.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("\"key\":\"/spicerack/locks/cookbooks/sre.demo:db1001\""))
        #expect(text.contains("\"owner\":\"alice@elsewhere [4242]\""))
        #expect(text.contains("\"waiting_for_input\":false"))
        let attributes = try FileManager.default.attributesOfItem(atPath: backend.directory)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: backend.directory + "/cookbooks")
        #expect(leftovers == ["sre.demo:db1001.json"], "temporary files left behind")
        try await backend.release(key: key, holderID: holder.id)
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    @Test("a holder of this host whose process died is dropped before its TTL")
    func deadProcess() async throws {
        let directory = try TemporaryDirectory("spicerack-locks-tests")
        defer { directory.remove() }
        let backend = LocalLockBackend(directory: directory.path + "/locks")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sleep")
        child.arguments = ["30"]
        try child.run()
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }
        let identity = LockIdentity(user: "bob", host: backend.hostname, pid: child.processIdentifier)
        let key = try uniqueKey()
        #expect(acquired(try await backend.acquire(key: key, holder: makeHolder(ttl: 600, identity: identity))))
        #expect(!acquired(try await backend.acquire(key: key, holder: makeHolder())))

        kill(child.processIdentifier, SIGKILL)
        child.waitForExit()
        #expect(try await backend.holders(prefix: .custom)[key] == nil)
        #expect(acquired(try await backend.acquire(key: key, holder: makeHolder())))
    }

    @Test("the same PID on another host is not checked")
    func remotePIDIsNotChecked() async throws {
        let directory = try TemporaryDirectory("spicerack-locks-tests")
        defer { directory.remove() }
        let backend = LocalLockBackend(directory: directory.path + "/locks", hostname: "this-host")
        let key = try uniqueKey()
        // PID 999999 does not exist here, but the holder runs on another host.
        let identity = LockIdentity(user: "bob", host: "other-host", pid: 999_999)
        #expect(acquired(try await backend.acquire(key: key, holder: makeHolder(identity: identity))))
        #expect(!acquired(try await backend.acquire(key: key, holder: makeHolder())))
    }

    @Test("acquisitions wait while another process holds the directory's flock")
    func flockFromAnotherProcess() async throws {
        let directory = try TemporaryDirectory("spicerack-locks-tests")
        defer { directory.remove() }
        let backend = LocalLockBackend(directory: directory.path + "/locks")
        let key = try uniqueKey()
        // Create the directory and its lock file.
        let first = makeHolder(concurrency: 2)
        #expect(acquired(try await backend.acquire(key: key, holder: first)))

        let holder = try FlockHolder(path: backend.directory + "/.lock")
        defer { holder.stop() }
        #expect(try await holder.waitUntilHeld())
        let waiting = Task { try await backend.acquire(key: key, holder: makeHolder(concurrency: 2)) }
        try await Task.sleep(for: .seconds(1))
        // Still waiting: had it ignored the other process's flock, it would have finished at once.
        #expect(try await backend.holders(prefix: .custom)[key]?.count == 1)
        holder.stop()
        #expect(acquired(try await waiting.value))
        #expect(try await backend.holders(prefix: .custom)[key]?.count == 2)
    }

    @Test("a flock held for too long gives a clear error naming the lock file")
    func flockTimeout() async throws {
        let directory = try TemporaryDirectory("spicerack-locks-tests")
        defer { directory.remove() }
        let setup = LocalLockBackend(directory: directory.path + "/locks")
        let key = try uniqueKey()
        let first = makeHolder()
        #expect(acquired(try await setup.acquire(key: key, holder: first)))
        let impatient = LocalLockBackend(directory: setup.directory, lockTimeout: .milliseconds(300))
        let holder = try FlockHolder(path: setup.directory + "/.lock")
        defer { holder.stop() }
        #expect(try await holder.waitUntilHeld())
        let error = await #expect(throws: LockError.self) {
            try await impatient.release(key: key, holderID: first.id)
        }
        guard case .backendUnavailable(let backendName, let operation, let reason) = error?.kind else {
            Issue.record("expected backend unavailable, got \(String(describing: error))")
            return
        }
        #expect(backendName == "lock directory \(setup.directory)")
        #expect(operation == "release")
        #expect(reason.contains(setup.directory + "/.lock"))
        #expect(error?.description.contains("--no-locks") == true)
    }

    @Test("an unreadable key file is reported, not ignored")
    func corruptFile() async throws {
        let directory = try TemporaryDirectory("spicerack-locks-tests")
        defer { directory.remove() }
        let backend = LocalLockBackend(directory: directory.path + "/locks")
        let key = try uniqueKey()
        #expect(acquired(try await backend.acquire(key: key, holder: makeHolder())))
        let file = "\(backend.directory)/custom/\(key.name).json"
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: file))
        let error = await #expect(throws: LockError.self) {
            _ = try await backend.acquire(key: key, holder: makeHolder())
        }
        guard case .corruptData(let location, _) = error?.kind else {
            Issue.record("expected corrupt data, got \(String(describing: error))")
            return
        }
        #expect(location == file)
    }
}

/// A child process holding an exclusive `flock` on a file for a while (a shell that locks with `flock(1)` and
/// then becomes `sleep`, so a single process holds the lock and killing it frees the lock).
final class FlockHolder: Sendable {
    private let process: Process
    private let path: String

    init(path: String) throws {
        self.path = path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec 9>>\"$1\" && flock --exclusive 9 && exec sleep 30", "flock-holder", path]
        try process.run()
    }

    /// Waits (at most 5 s) until the child holds the lock: a non-blocking attempt of ours then fails.
    func waitUntilHeld() async throws -> Bool {
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return await eventually {
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
                flock(descriptor, LOCK_UN)
                return false
            }
            return true
        }
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitForExit()
    }
}

/// A holder whose PID was reused by a later process is not kept until its TTL.
@Suite("Local backend: reused PIDs")
struct ReusedPIDTests {
    @Test("a holder with this PID but another start time is dropped; with the same start time it is kept")
    func reusedPID() async throws {
        let directory = try TemporaryDirectory("spicerack-locks-tests")
        defer { directory.remove() }
        let backend = LocalLockBackend(directory: directory.path + "/locks")
        let current = LockIdentity.current
        let start = try #require(current.startTime)
        // This very process, recorded with the start time of an earlier process that had the same PID.
        let reused = LockIdentity(user: "bob", host: backend.hostname, pid: getpid(), startTime: start - 1)
        let key = try uniqueKey()
        #expect(acquired(try await backend.acquire(key: key, holder: makeHolder(ttl: 600, identity: reused))))
        #expect(acquired(try await backend.acquire(key: key, holder: makeHolder())))

        let live = LockIdentity(user: "bob", host: backend.hostname, pid: getpid(), startTime: start)
        let other = try uniqueKey()
        #expect(acquired(try await backend.acquire(key: other, holder: makeHolder(ttl: 600, identity: live))))
        #expect(!acquired(try await backend.acquire(key: other, holder: makeHolder())))
    }
}
