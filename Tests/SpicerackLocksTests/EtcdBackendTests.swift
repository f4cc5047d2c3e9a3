import Foundation
import SpicerackLocks
import TestBed
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// What only the etcd backend does: leases, the guard key, endpoints that do not answer.
@Suite("etcd backend")
struct EtcdBackendTests {
    @Test("an unreachable etcd gives a clear error at once, without retrying")
    func unreachable() async throws {
        let port = try freeLoopbackPort()
        let endpoint = "http://127.0.0.1:\(port)"
        let log = LogRecorder()
        let locks = Locks(
            backend: EtcdLockBackend(endpoints: [endpoint], requestTimeout: .seconds(2)), identity: currentIdentity,
            logger: log.logger(), retry: .spicerack)
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: LockError.self) {
            _ = try await locks.acquire(try uniqueKey(), ttl: .seconds(30))
        }
        #expect(clock.now - start < .seconds(5))
        guard case .backendUnavailable(let backend, let operation, let reason) = error?.kind else {
            Issue.record("expected backend unavailable, got \(String(describing: error))")
            return
        }
        #expect(backend == "etcd at \(endpoint)")
        #expect(operation == "acquire")
        #expect(reason.contains(endpoint))
        let description = error?.description ?? ""
        #expect(description.contains("running and reachable"))
        #expect(description.contains("--no-locks"))
        #expect(!log.messages.contains { $0.hasPrefix("[1/") }, "an unreachable backend was retried as busy")
    }

    @Test("a dead endpoint is skipped for the next one", .tags(.etcd))
    func failover() async throws {
        let dead = "http://127.0.0.1:\(try freeLoopbackPort())"
        let backend = EtcdLockBackend(endpoints: [dead, try SharedEtcd.endpoint()], requestTimeout: .seconds(2))
        let key = try uniqueKey()
        #expect(acquired(try await backend.acquire(key: key, holder: makeHolder())))
        #expect(try await backend.holders(prefix: .custom)[key]?.count == 1)
    }

    @Test("holders are keys with a lease of their TTL; the guard goes with the last holder", .tags(.etcd))
    func layout() async throws {
        let endpoint = try SharedEtcd.endpoint()
        let backend = EtcdLockBackend(endpoints: [endpoint])
        let key = try uniqueKey()
        let first = makeHolder(concurrency: 0, ttl: 1)
        guard case .acquired(let stored) = try await backend.acquire(key: key, holder: first) else {
            Issue.record("not acquired")
            return
        }
        // etcd raises lease TTLs to its minimum (2 s with the default election timeout); the holder says so.
        #expect(stored.ttl >= 2)
        let second = makeHolder(concurrency: 0)
        #expect(acquired(try await backend.acquire(key: key, holder: second)))
        let paths = [key.path, key.path + "/" + first.id, key.path + "/" + second.id]
        #expect(try await rawKeys(endpoint, prefix: key.path).sorted() == paths.sorted())
        try await backend.release(key: key, holderID: first.id)
        #expect(try await rawKeys(endpoint, prefix: key.path).sorted() == [paths[0], paths[2]].sorted())
        try await backend.release(key: key, holderID: second.id)
        #expect(try await rawKeys(endpoint, prefix: key.path).isEmpty, "keys left behind after the last release")
    }

    @Test("the etcd server of the test bed answers on loopback and stops cleanly", .tags(.etcd))
    func server() async throws {
        let server = try EtcdServer()
        #expect(server.endpoint == "http://127.0.0.1:\(server.clientPort)")
        #expect(server.isRunning)
        let backend = EtcdLockBackend(endpoints: [server.endpoint])
        #expect(try await backend.holders(prefix: nil).isEmpty)
        server.stop()
        #expect(!server.isRunning)
        #expect(!FileManager.default.fileExists(atPath: server.directory))
        server.stop()
    }

    @Test("a server left by a killed test process is stopped when the next one starts", .tags(.etcd))
    func orphanIsStopped() async throws {
        // A process that has exited stands for the killed test run; a sleep stands for its etcd.
        let owner = Process()
        owner.executableURL = URL(fileURLWithPath: "/bin/true")
        try owner.run()
        owner.waitForExit()
        let orphan = Process()
        orphan.executableURL = URL(fileURLWithPath: "/bin/sleep")
        orphan.arguments = ["30"]
        try orphan.run()
        defer { if orphan.isRunning { kill(orphan.processIdentifier, SIGKILL) } }
        let directory = "\(EtcdServer.baseDirectory)/etcd-\(owner.processIdentifier)-1"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "\(orphan.processIdentifier) -\n".write(toFile: directory + "/etcd.pid", atomically: true, encoding: .utf8)

        let server = try EtcdServer()
        defer { server.stop() }
        // Bounded, and without killing it ourselves: the server's start must have stopped it.
        let deadline = Date().addingTimeInterval(10)
        while orphan.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!orphan.isRunning)
        #expect(orphan.isRunning || orphan.terminationReason == .uncaughtSignal)
        #expect(!FileManager.default.fileExists(atPath: directory))
    }
}

/// Every key of etcd at `endpoint` equal to `prefix` or under `prefix/`, read straight from the gateway.
func rawKeys(_ endpoint: String, prefix: String) async throws -> [String] {
    var end = Array(prefix.utf8)
    end.append(UInt8(ascii: "0"))  // '/' + 1: the range [prefix, prefix + "0") holds prefix and prefix/...
    let body: [String: String] = [
        "key": Data(prefix.utf8).base64EncodedString(), "range_end": Data(end).base64EncodedString(),
    ]
    var request = URLRequest(url: try #require(URL(string: endpoint + "/v3/kv/range")))
    request.httpMethod = "POST"
    request.httpBody = try JSONEncoder().encode(body)
    let (data, _) = try await URLSession.shared.data(for: request)
    let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    let entries = answer?["kvs"] as? [[String: Any]] ?? []
    return entries.compactMap { entry in
        (entry["key"] as? String).flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
    }.filter { $0 == prefix || $0.hasPrefix(prefix + "/") }
}
