import SpicerackLocks
import TestSupport

/// What most manager tests need: a backend, a key of their own, and a log to read.
struct LockScenario {
    let scratch: TestBackend
    let key: LockKey
    let log = LogRecorder()

    init(_ kind: BackendKind, function: String = #function) throws {
        scratch = try kind.make()
        key = try uniqueKey(.custom, function)
    }

    var backend: any LockBackend { scratch.backend }

    /// A manager on the scenario's backend, as this test process, logging to ``log``.
    func locks(retry: LockRetryPolicy = .once, dryRun: Bool = false) -> Locks {
        Locks(backend: backend, dryRun: dryRun, identity: currentIdentity, logger: log.logger(), retry: retry)
    }

    /// Another client of the same store.
    func sibling() -> any LockBackend { scratch.sibling() }

    /// The live holders of the scenario's key, nil when it has none.
    func holders() async throws -> [LockHolder]? {
        try await backend.holders(prefix: key.prefix)[key]
    }

    func close() { scratch.close() }
}
