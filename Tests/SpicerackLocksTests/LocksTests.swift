import Foundation
import Logging
import SpicerackLocks
import TestSupport
import Testing

/// The lock manager and its leases, against the real backends.
@Suite("Locks")
struct LocksTests {
    @Test(
        "a busy lock is retried with readable log lines, then reported with its holders", .tags(.etcd),
        arguments: BackendKind.allCases)
    func busyIsRetriedThenReported(kind: BackendKind) async throws {
        let scenario = try LockScenario(kind)
        defer { scenario.close() }
        let key = scenario.key
        let holder = makeHolder(ttl: 600, label: "sre.hosts.reboot -t T1")
        #expect(acquired(try await scenario.backend.acquire(key: key, holder: holder)))
        _ = try await scenario.backend.refresh(key: key, holderID: holder.id, waitingForInput: true)

        let log = scenario.log
        let locks = scenario.locks(retry: quickRetry)
        let error = await #expect(throws: LockError.self) {
            _ = try await locks.acquire(key, concurrency: 1, ttl: .seconds(30))
        }
        let retries = log.messages.filter { $0.hasPrefix("[") }
        #expect(retries.count == 2)
        #expect(
            retries.first?.hasPrefix(
                "[1/3, retrying in 0.02s] Unable to acquire lock for key \(key.path): held by 1 of 1 allowed:\n"
                    + "    alice@elsewhere [4242], pid 4242, held ") == true, "\(retries)")
        #expect(retries.first?.contains("s, 9m ") == true, "\(retries)")
        #expect(retries.first?.hasSuffix("left, waiting for input (sre.hosts.reboot -t T1)") == true)
        let failure = try #require(error)
        guard case .busy(let holders, let allowed) = failure.kind else {
            Issue.record("expected busy, got \(failure)")
            return
        }
        #expect(holders.map(\.id) == [holder.id])
        #expect(allowed == 1)
        #expect(failure.description.contains("alice@elsewhere [4242], pid 4242"))
        #expect(failure.description.contains("waiting for input"))
        #expect(failure.description.contains("alice should answer the prompt of their run"))
    }

    @Test("the heartbeat keeps a lease alive past its TTL", .tags(.etcd), arguments: BackendKind.allCases)
    func heartbeat(kind: BackendKind) async throws {
        let scenario = try LockScenario(kind)
        defer { scenario.close() }
        let key = scenario.key
        let log = scenario.log
        let locks = scenario.locks()
        // A 5 s TTL (beats every 1.7 s) slept through twice: the test tolerates a loaded 2-core machine pausing the
        // heartbeat for a few seconds, and still fails if the heartbeat does not run at all.
        let lease = try await locks.acquire(key, concurrency: 1, ttl: .seconds(5))
        #expect(lease.heartbeatInterval < .seconds(2))
        let acquiredAt = lease.holder.refreshed
        try await Task.sleep(for: .seconds(10))
        let seen = try await scenario.holders()
        #expect(seen?.map(\.id) == [lease.holder.id], "the lease expired despite the heartbeat")
        #expect(lease.holder.refreshed > acquiredAt.addingTimeInterval(5))
        #expect(!acquired(try await scenario.sibling().acquire(key: key, holder: makeHolder())))
        #expect(lease.lostError == nil)
        await lease.release()
        #expect(try await scenario.holders() == nil)
        #expect(log.contains("Acquired lock for key \(key.path)"))
        #expect(log.contains("Released lock for key \(key.path)"))
    }

    @Test("a newcomer gets in once an abandoned holder's TTL passes", .tags(.etcd), arguments: BackendKind.allCases)
    func abandonedHolderExpires(kind: BackendKind) async throws {
        let scenario = try LockScenario(kind)
        defer { scenario.close() }
        let key = scenario.key
        // A run that crashed: acquired, never refreshed, never released.
        #expect(acquired(try await scenario.backend.acquire(key: key, holder: makeHolder(ttl: 2))))
        let log = scenario.log
        let locks = scenario.locks(retry: LockRetryPolicy(tries: 60, delay: .milliseconds(100), backoff: .constant))
        let lease = try await locks.acquire(key, concurrency: 1, ttl: .seconds(30))
        #expect(log.contains("Unable to acquire lock for key \(key.path)"))
        #expect(try await scenario.holders()?.map(\.id) == [lease.holder.id])
        await lease.release()
    }

    @Test("withLock releases after a normal return", .tags(.etcd), arguments: BackendKind.allCases)
    func releaseOnReturn(kind: BackendKind) async throws {
        let scenario = try LockScenario(kind)
        defer { scenario.close() }
        let key = scenario.key
        let locks = scenario.locks()
        let inside = try await locks.withLock(key, concurrency: 1, ttl: .seconds(30), label: "demo") { lease in
            try await scenario.holders()?.map(\.id) == [lease.holder.id]
        }
        #expect(inside)
        #expect(try await scenario.holders() == nil)
    }

    @Test("withLock releases when the body throws", .tags(.etcd), arguments: BackendKind.allCases)
    func releaseOnError(kind: BackendKind) async throws {
        struct Boom: Error {}
        let scenario = try LockScenario(kind)
        defer { scenario.close() }
        let key = scenario.key
        let locks = scenario.locks()
        await #expect(throws: Boom.self) {
            try await locks.withLock(key, ttl: .seconds(30)) { _ in throw Boom() }
        }
        #expect(try await scenario.holders() == nil)
    }

    @Test("withLock releases when its task is cancelled", .tags(.etcd), arguments: BackendKind.allCases)
    func releaseOnCancellation(kind: BackendKind) async throws {
        let scenario = try LockScenario(kind)
        defer { scenario.close() }
        let key = scenario.key
        let locks = scenario.locks()
        let task = Task {
            try await locks.withLock(key, ttl: .seconds(30)) { _ in try await Task.sleep(for: .seconds(60)) }
        }
        let held = try await eventually { try await scenario.holders() != nil }
        #expect(held)
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(try await scenario.holders() == nil)
    }

    @Test("waiting for input is visible to others and can be cleared", .tags(.etcd), arguments: BackendKind.allCases)
    func waitingForInput(kind: BackendKind) async throws {
        let scenario = try LockScenario(kind)
        defer { scenario.close() }
        let key = scenario.key
        let locks = scenario.locks()
        let lease = try await locks.acquire(key, concurrency: 1, ttl: .seconds(30))
        await lease.setWaitingForInput(true)
        #expect(try await scenario.holders()?.first?.waitingForInput == true)
        let other = Locks(
            backend: scenario.sibling(), identity: LockIdentity(user: "bob", host: "cumin2002", pid: 7),
            logger: LogRecorder().logger(), retry: .once)
        let error = await #expect(throws: LockError.self) { _ = try await other.acquire(key, ttl: .seconds(30)) }
        #expect(error?.description.contains("tester@\(currentIdentity.host) [\(currentIdentity.pid)]") == true)
        #expect(error?.description.contains("waiting for input") == true)
        await lease.setWaitingForInput(false)
        #expect(try await scenario.holders()?.first?.waitingForInput == false)
        #expect(lease.holder.waitingForInput == false)
        await lease.release()
        await lease.release()
    }

    @Test("a holding removed behind the lease's back is reported lost", .tags(.etcd), arguments: BackendKind.allCases)
    func lostLease(kind: BackendKind) async throws {
        let scenario = try LockScenario(kind)
        defer { scenario.close() }
        let key = scenario.key
        let log = scenario.log
        let locks = scenario.locks()
        let lease = try await locks.acquire(key, concurrency: 1, ttl: .seconds(2))
        try await scenario.sibling().release(key: key, holderID: lease.holder.id)
        let noticed = await eventually { lease.lostError != nil }
        #expect(noticed)
        #expect(log.records.contains { $0.level == .error && $0.message.hasPrefix("Lost lock \(key.path)") })
        await lease.release()
    }

    @Test("dry-run checks once, never waits and never writes", .tags(.etcd), arguments: BackendKind.allCases)
    func dryRun(kind: BackendKind) async throws {
        let scenario = try LockScenario(kind)
        defer { scenario.close() }
        let log = scenario.log
        // Spicerack's policy would wait about 29 minutes for a busy lock; a dry run must not.
        let locks = scenario.locks(retry: .spicerack, dryRun: true)
        let free = try uniqueKey()
        let lease = try await locks.acquire(free, concurrency: 1, ttl: .seconds(30))
        #expect(!lease.isEffective)
        #expect(try await scenario.backend.holders(prefix: nil)[free] == nil)
        if let local = scenario.backend as? LocalLockBackend {
            #expect(!FileManager.default.fileExists(atPath: local.directory), "a dry run created the lock directory")
        }
        await lease.release()
        #expect(log.contains("Skipping lock acquire in DRY-RUN mode"))
        #expect(log.contains("Skipping lock release in DRY-RUN mode"))

        let busy = try uniqueKey()
        #expect(acquired(try await scenario.sibling().acquire(key: busy, holder: makeHolder())))
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: LockError.self) { _ = try await locks.acquire(busy, ttl: .seconds(30)) }
        #expect(clock.now - start < .seconds(3))
        #expect(!log.messages.contains { $0.hasPrefix("[1/") })
        #expect(try await scenario.backend.holders(prefix: nil)[busy]?.count == 1)
    }

    @Test("without a backend every lock is a silent no-op")
    func disabled() async throws {
        let log = LogRecorder()
        let locks = Locks(backend: nil, logger: log.logger())
        #expect(!locks.isEnabled)
        let key = try uniqueKey()
        let value = try await locks.withLock(key, ttl: .seconds(1)) { lease in
            await lease.setWaitingForInput(true)
            return lease.isEffective ? 0 : 42
        }
        #expect(value == 42)
        #expect(try await locks.holders().isEmpty)
        #expect(log.messages.isEmpty)
    }

    @Test("invalid requests are refused before touching the backend")
    func invalidRequests() async throws {
        let directory = try TemporaryDirectory("spicerack-locks-tests")
        defer { directory.remove() }
        let backend = LocalLockBackend(directory: directory.path + "/locks")
        let locks = Locks(backend: backend, logger: LogRecorder().logger(), retry: .once)
        let key = try uniqueKey()
        for (concurrency, ttl) in [(-1, Duration.seconds(10)), (1, .milliseconds(500))] {
            let error = await #expect(throws: LockError.self) {
                _ = try await locks.acquire(key, concurrency: concurrency, ttl: ttl)
            }
            guard case .invalidRequest = error?.kind else {
                Issue.record("expected an invalid request, got \(String(describing: error))")
                continue
            }
        }
        #expect(!FileManager.default.fileExists(atPath: backend.directory))
    }
}
