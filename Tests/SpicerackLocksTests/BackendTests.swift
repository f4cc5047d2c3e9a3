import Foundation
import SpicerackLocks
import TestSupport
import Testing

/// The lock semantics every backend must provide, checked against the local backend and a real etcd.
@Suite("Backends", .tags(.etcd))
struct BackendTests {
    @Test("concurrency 1 admits one holder, concurrency 2 two", arguments: BackendKind.allCases)
    func concurrencyLimits(kind: BackendKind) async throws {
        let scratch = try kind.make()
        defer { scratch.close() }
        let backend = scratch.backend
        let exclusive = try uniqueKey()
        #expect(acquired(try await backend.acquire(key: exclusive, holder: makeHolder(concurrency: 1))))
        let refused = try await backend.acquire(key: exclusive, holder: makeHolder(concurrency: 1))
        guard case .busy(let holders) = refused else {
            Issue.record("a second holder got an exclusive lock")
            return
        }
        #expect(holders.count == 1)

        let shared = try uniqueKey()
        #expect(acquired(try await backend.acquire(key: shared, holder: makeHolder(concurrency: 2))))
        #expect(acquired(try await backend.acquire(key: shared, holder: makeHolder(concurrency: 2))))
        #expect(!acquired(try await backend.acquire(key: shared, holder: makeHolder(concurrency: 2))))
        #expect(try await backend.holders(prefix: .custom)[shared]?.count == 2)
    }

    @Test("the smallest concurrency among holders and newcomer is the limit", arguments: BackendKind.allCases)
    func smallestConcurrencyWins(kind: BackendKind) async throws {
        let scratch = try kind.make()
        defer { scratch.close() }
        let backend = scratch.backend
        let key = try uniqueKey()
        #expect(acquired(try await backend.acquire(key: key, holder: makeHolder(concurrency: 1))))
        // The newcomer accepts company, the holder does not.
        #expect(!acquired(try await backend.acquire(key: key, holder: makeHolder(concurrency: 5))))

        let other = try uniqueKey()
        #expect(acquired(try await backend.acquire(key: other, holder: makeHolder(concurrency: 5))))
        // The holder accepts company, the newcomer wants to be alone.
        #expect(!acquired(try await backend.acquire(key: other, holder: makeHolder(concurrency: 1))))
        #expect(acquired(try await backend.acquire(key: other, holder: makeHolder(concurrency: 2))))
    }

    @Test("concurrency 0 is unlimited but every holder is tracked", arguments: BackendKind.allCases)
    func unlimited(kind: BackendKind) async throws {
        let scratch = try kind.make()
        defer { scratch.close() }
        let backend = scratch.backend
        let key = try uniqueKey()
        for _ in 0..<6 {
            #expect(acquired(try await backend.acquire(key: key, holder: makeHolder(concurrency: 0))))
        }
        #expect(try await backend.holders(prefix: .custom)[key]?.count == 6)
        // A newcomer that allows at most three cannot join six.
        #expect(!acquired(try await backend.acquire(key: key, holder: makeHolder(concurrency: 3))))
    }

    @Test("release frees the slot, is idempotent, and leaves no key behind", arguments: BackendKind.allCases)
    func release(kind: BackendKind) async throws {
        let scratch = try kind.make()
        defer { scratch.close() }
        let backend = scratch.backend
        let key = try uniqueKey()
        let first = makeHolder()
        #expect(acquired(try await backend.acquire(key: key, holder: first)))
        try await backend.release(key: key, holderID: first.id)
        try await backend.release(key: key, holderID: first.id)
        try await backend.release(key: key, holderID: "never-held")
        #expect(try await backend.holders(prefix: .custom)[key] == nil)
        #expect(acquired(try await backend.acquire(key: key, holder: makeHolder())))
    }

    @Test("an expired holder no longer counts", arguments: BackendKind.allCases)
    func expiry(kind: BackendKind) async throws {
        let scratch = try kind.make()
        defer { scratch.close() }
        let backend = scratch.backend
        let key = try uniqueKey()
        // Never refreshed: etcd expires its lease (2 s is etcd's minimum), the local backend its TTL.
        #expect(acquired(try await backend.acquire(key: key, holder: makeHolder(ttl: 2))))
        #expect(!acquired(try await backend.acquire(key: key, holder: makeHolder())))
        let clock = ContinuousClock()
        let start = clock.now
        let admitted = try await eventually(timeout: .seconds(8)) {
            acquired(try await backend.acquire(key: key, holder: makeHolder(ttl: 30)))
        }
        #expect(admitted)
        #expect(clock.now - start > .milliseconds(1000))
        #expect(try await backend.holders(prefix: .custom)[key]?.count == 1)
    }

    @Test("refresh publishes waiting for input and fails for a holder that is gone", arguments: BackendKind.allCases)
    func refresh(kind: BackendKind) async throws {
        let scratch = try kind.make()
        defer { scratch.close() }
        let backend = scratch.backend
        let key = try uniqueKey()
        let holder = makeHolder(label: "sre.demo --flag")
        guard case .acquired(let stored) = try await backend.acquire(key: key, holder: holder) else {
            Issue.record("not acquired")
            return
        }
        try await Task.sleep(for: .milliseconds(20))
        let refreshed = try await backend.refresh(key: key, holderID: holder.id, waitingForInput: true)
        #expect(refreshed.refreshed > stored.refreshed)
        let seen = try #require(try await backend.holders(prefix: nil)[key]?.first)
        #expect(seen.waitingForInput)
        #expect(seen.label == "sre.demo --flag")
        #expect(seen.owner == "alice@elsewhere [4242]")

        try await backend.release(key: key, holderID: holder.id)
        await #expect {
            _ = try await backend.refresh(key: key, holderID: holder.id, waitingForInput: false)
        } throws: { error in
            guard let error = error as? LockError, case .lostLease(let id, _) = error.kind else { return false }
            return id == holder.id && error.key == key.path
        }
    }

    @Test("holders lists keys by prefix", arguments: BackendKind.allCases)
    func listing(kind: BackendKind) async throws {
        let scratch = try kind.make()
        defer { scratch.close() }
        let backend = scratch.backend
        let cookbook = try uniqueKey(.cookbooks)
        let module = try uniqueKey(.modules)
        #expect(acquired(try await backend.acquire(key: cookbook, holder: makeHolder())))
        #expect(acquired(try await backend.acquire(key: module, holder: makeHolder(concurrency: 0))))
        let cookbooks = try await backend.holders(prefix: .cookbooks)
        #expect(cookbooks[cookbook]?.count == 1)
        #expect(cookbooks[module] == nil)
        let all = try await backend.holders(prefix: nil)
        #expect(all[cookbook]?.count == 1 && all[module]?.count == 1)
    }

    @Test("racing clients never exceed the concurrency", arguments: BackendKind.allCases)
    func racingClients(kind: BackendKind) async throws {
        let scratch = try kind.make()
        defer { scratch.close() }
        let key = try uniqueKey()
        // Separate backend instances, as separate processes would have (own file descriptors, own HTTP clients).
        let clients = (0..<8).map { _ in scratch.sibling() }
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for client in clients {
                group.addTask { acquired(try await client.acquire(key: key, holder: makeHolder(concurrency: 2))) }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 2)
        #expect(try await scratch.backend.holders(prefix: .custom)[key]?.count == 2)
    }
}
