import Foundation
import SpicerackLocks
import TestBed
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The backends every behavioural test runs against.
enum BackendKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case local
    case etcd

    var testDescription: String { rawValue }

    /// A fresh backend: a new directory for `local`, the shared etcd server for `etcd` (keys are unique per test).
    func make() throws -> TestBackend {
        switch self {
        case .local:
            let directory = try TemporaryDirectory("spicerack-locks-tests")
            return TestBackend(backend: LocalLockBackend(directory: directory.path + "/locks"), directory: directory)
        case .etcd:
            return TestBackend(backend: EtcdLockBackend(endpoints: [try SharedEtcd.endpoint()]), directory: nil)
        }
    }
}

/// A backend under test and what to clean up after it.
struct TestBackend: Sendable {
    let backend: any LockBackend
    let directory: TemporaryDirectory?

    /// A second client of the same store (another backend instance, as another process would have).
    func sibling() -> any LockBackend {
        if let local = backend as? LocalLockBackend { return LocalLockBackend(directory: local.directory) }
        if let etcd = backend as? EtcdLockBackend { return EtcdLockBackend(endpoints: etcd.endpoints) }
        return backend
    }

    func close() { directory?.remove() }
}

/// One etcd server for the whole test process, started on first use and stopped at exit.
enum SharedEtcd {
    private static let server: Result<EtcdServer, any Error> = {
        // The tests talk to loopback only: keep a proxy from the environment out of the way (libcurl reads it).
        let noProxy = ProcessInfo.processInfo.environment["no_proxy"].map { $0 + "," } ?? ""
        setenv("no_proxy", noProxy + "127.0.0.1,localhost", 1)
        let result = Result { try EtcdServer() }
        atexit { SharedEtcd.stop() }
        return result
    }()

    /// The client URL of the shared server, starting it if needed.
    static func endpoint() throws -> String {
        try server.get().endpoint
    }

    /// The shared server, starting it if needed.
    static func get() throws -> EtcdServer {
        try server.get()
    }

    private static func stop() {
        try? server.get().stop()
    }
}

/// A key no other test uses.
func uniqueKey(_ prefix: LockPrefix = .custom, _ function: String = #function) throws -> LockKey {
    let stem = function.prefix(while: { $0 != "(" })
    let name =
        prefix == .modules
        ? "spicerack.\(stem)-\(UUID().uuidString.prefix(8))" : "\(stem)-\(UUID().uuidString.prefix(8))"
    return try LockKey(prefix: prefix, name: name)
}

/// A holder for `identity` (a fictitious user on a fictitious host by default, so no PID check applies).
func makeHolder(
    concurrency: Int = 1, ttl: Int = 30,
    identity: LockIdentity = LockIdentity(user: "alice", host: "elsewhere", pid: 4242),
    label: String? = nil
) -> LockHolder {
    LockHolder(identity: identity, concurrency: concurrency, ttl: ttl, label: label)
}

/// Whether `acquisition` acquired.
func acquired(_ acquisition: LockAcquisition) -> Bool {
    if case .acquired = acquisition { return true }
    return false
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    // Bounded by the deadline.
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// Fast retries for tests.
let quickRetry = LockRetryPolicy(tries: 3, delay: .milliseconds(20), backoff: .constant)

/// The identity of this test process (its PID is alive, its host is this machine).
let currentIdentity = LockIdentity(user: "tester", host: LockIdentity.currentHostName(), pid: getpid())
