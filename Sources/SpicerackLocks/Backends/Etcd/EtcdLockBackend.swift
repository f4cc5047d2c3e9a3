import Foundation

/// Locks in etcd v3, spoken through its JSON gateway over HTTP: the backend shared by every cookbook host.
///
/// Layout: the lock's path (`/spicerack/locks/<prefix>/<name>`) is a guard key, and each holder is a key
/// `<path>/<holderID>` holding the ``LockHolder`` JSON, attached to its own lease of the holder's TTL, so etcd
/// itself deletes the holder of a crashed run when the TTL passes. Acquisition reads the guard and the holders in
/// one snapshot, then commits in a transaction that requires the guard unchanged and bumps it, so two newcomers
/// can never both take the last slot. The guard is deleted when the last holder releases.
///
/// ```swift
/// let backend = EtcdLockBackend(endpoints: ["http://etcd1001:2379", "http://etcd1002:2379"])
/// ```
public struct EtcdLockBackend: LockBackend {
    /// The gateway URLs tried in turn, e.g. `http://127.0.0.1:2379`.
    public let endpoints: [String]
    /// How many times an acquisition is retried at once when another client changed the lock meanwhile.
    public let conflictRetries: Int
    private let client: EtcdClient

    /// Creates a backend.
    /// - Parameters:
    ///   - endpoints: etcd client URLs (`http://host:2379`), tried in turn until one answers.
    ///   - requestTimeout: how long to wait for each HTTP request.
    ///   - conflictRetries: how many times to retry an acquisition that lost a race before reporting it busy.
    public init(endpoints: [String], requestTimeout: Duration = .seconds(5), conflictRetries: Int = 5) {
        self.endpoints = endpoints
        self.conflictRetries = max(conflictRetries, 1)
        self.client = EtcdClient(endpoints: endpoints, requestTimeout: requestTimeout)
    }

    /// Creates a backend that speaks HTTPS with a private CA and a client certificate (etcd started with
    /// `--client-cert-auth`).
    /// - Parameters:
    ///   - endpoints: etcd client URLs (`https://host:2379`), tried in turn until one answers.
    ///   - tls: the CA and client certificate files; empty options use Foundation's HTTP client.
    ///   - requestTimeout: how long to wait for each HTTP request.
    ///   - conflictRetries: how many times to retry an acquisition that lost a race before reporting it busy.
    /// - Throws: ``EtcdTLSError`` when a file cannot be read or parsed.
    public init(
        endpoints: [String], tls: EtcdTLSOptions, requestTimeout: Duration = .seconds(5), conflictRetries: Int = 5
    ) throws(EtcdTLSError) {
        self.endpoints = endpoints
        self.conflictRetries = max(conflictRetries, 1)
        let transport: any EtcdHTTPTransport =
            tls.isEmpty ? URLSessionEtcdTransport() : try EtcdTLSTransport(options: tls)
        self.client = EtcdClient(endpoints: endpoints, requestTimeout: requestTimeout, transport: transport)
    }

    /// `etcd at <endpoints>`.
    public var backendDescription: String {
        "etcd at " + (endpoints.isEmpty ? "(no endpoint configured)" : endpoints.joined(separator: ", "))
    }

    /// Grants a lease of the holder's TTL and commits the holder if the guard did not move since the read.
    public func acquire(key: LockKey, holder: LockHolder) async throws(LockError) -> LockAcquisition {
        var lease: (id: Int64, ttl: Int)?
        do throws(LockError) {
            for _ in 0..<conflictRetries {
                let snapshot = try await read(key, operation: "acquire")
                guard LockAdmission.admits(live: snapshot.holders, newcomerConcurrency: holder.concurrency) else {
                    await revokeDetached(lease?.id)
                    return .busy(snapshot.holders)
                }
                let granted: (id: Int64, ttl: Int)
                if let lease {
                    granted = lease
                } else {
                    granted = try await grant(ttl: holder.ttl, key: key)
                }
                lease = granted
                var stored = holder
                stored.ttl = granted.ttl
                let committed = try await transaction(
                    key, operation: "acquire",
                    compare: [EtcdCompare(key: key.path, .mod, equals: snapshot.guardRevision)],
                    success: [
                        .put(EtcdPutRequest(key: key.path, value: Data(stored.id.utf8))),
                        .put(
                            EtcdPutRequest(
                                key: holderPath(key, stored.id), value: LockHolder.encode(stored),
                                lease: granted.id)),
                    ])
                if committed.succeeded == true { return .acquired(stored) }
            }
            await revokeDetached(lease?.id)
            return .busy(try await read(key, operation: "acquire").holders)
        } catch {
            await revokeDetached(lease?.id)
            throw error
        }
    }

    /// Keeps the holder's lease alive and rewrites its value (refresh time, waiting for input).
    public func refresh(key: LockKey, holderID: String, waitingForInput: Bool) async throws(LockError) -> LockHolder {
        let path = holderPath(key, holderID)
        let lost = { (reason: String) in
            LockError(.lostLease(holderID: holderID, reason: reason), key: key.path)
        }
        let range: EtcdRangeResponse = try await call("/v3/kv/range", EtcdRangeRequest(key: path), key, "refresh")
        guard let entry = range.kvs?.first, let lease = entry.lease?.value, lease != 0 else {
            throw lost("\(path) is no longer in etcd: its lease expired or it was released")
        }
        let alive: EtcdKeepAliveResponse = try await call(
            "/v3/lease/keepalive", EtcdLeaseRequest(id: EtcdInteger(lease)), key, "refresh")
        guard let ttl = alive.result?.ttl?.value, ttl > 0 else {
            throw lost("the lease of \(path) expired before the heartbeat")
        }
        var holder = try decodeHolder(entry, key)
        holder.refreshed = Date()
        holder.waitingForInput = waitingForInput
        let rewritten = try await transaction(
            key, operation: "refresh",
            compare: [EtcdCompare(key: path, .create, equals: entry.createRevision?.value ?? 0)],
            success: [.put(EtcdPutRequest(key: path, value: LockHolder.encode(holder), lease: lease))])
        guard rewritten.succeeded == true else {
            throw lost("\(path) was removed during the heartbeat")
        }
        return holder
    }

    /// Revokes the holder's lease (deleting its key) and drops the guard when no holder is left.
    public func release(key: LockKey, holderID: String) async throws(LockError) {
        let path = holderPath(key, holderID)
        let range: EtcdRangeResponse = try await call("/v3/kv/range", EtcdRangeRequest(key: path), key, "release")
        if let entry = range.kvs?.first {
            if let lease = entry.lease?.value, lease != 0 {
                try await revoke(lease, key: key)
            }
            let _: EtcdEmptyResponse = try await call(
                "/v3/kv/deleterange", EtcdDeleteRangeRequest(key: path), key, "release")
        }
        // Drop the guard once no holder is left, so that unused keys do not pile up.
        _ = try await transaction(
            key, operation: "release", compare: [.noKey(withPrefix: key.path + "/")],
            success: [.delete(EtcdDeleteRangeRequest(key: key.path))])
    }

    /// Every holder key under `prefix`, read in one range request.
    public func holders(prefix: LockPrefix?) async throws(LockError) -> [LockKey: [LockHolder]] {
        let root = LockKey.root + "/" + (prefix.map { $0.rawValue + "/" } ?? "")
        let range: EtcdRangeResponse
        do throws(EtcdClient.Failure) {
            range = try await client.call("/v3/kv/range", EtcdRangeRequest(prefix: root))
        } catch {
            throw mapFailure(error, key: root, operation: "list")
        }
        var result: [LockKey: [LockHolder]] = [:]
        for entry in range.kvs ?? [] {
            let path = entry.keyText
            guard let slash = path.lastIndex(of: "/"), let key = try? LockKey(path: String(path[..<slash])) else {
                continue  // a guard key, or something that is not a holder
            }
            result[key, default: []].append(try decodeHolder(entry, key))
        }
        return result.mapValues { $0.sorted { $0.created < $1.created } }
    }

    // MARK: - Steps

    /// The guard's mod revision (0 when absent) and the live holders, read in one snapshot.
    private func read(_ key: LockKey, operation: String) async throws(LockError) -> (
        guardRevision: Int64, holders: [LockHolder]
    ) {
        let answer = try await transaction(
            key, operation: operation, compare: [],
            success: [.range(EtcdRangeRequest(key: key.path)), .range(EtcdRangeRequest(prefix: key.path + "/"))])
        let ranges = (answer.responses ?? []).map { $0.responseRange?.kvs ?? [] }
        guard ranges.count == 2 else {
            throw mapFailure(
                .invalidResponse(endpoint: "-", path: "/v3/kv/txn", reason: "expected two range answers"),
                key: key.path, operation: operation)
        }
        let guardRevision = ranges[0].first?.modRevision?.value ?? 0
        var holders: [LockHolder] = []
        for entry in ranges[1] {
            holders.append(try decodeHolder(entry, key))
        }
        return (guardRevision, holders.sorted { $0.created < $1.created })
    }

    private func grant(ttl: Int, key: LockKey) async throws(LockError) -> (id: Int64, ttl: Int) {
        let answer: EtcdLeaseGrantResponse = try await call(
            "/v3/lease/grant", EtcdLeaseRequest(ttl: EtcdInteger(Int64(ttl))), key, "acquire")
        guard let id = answer.id?.value, id != 0, answer.error?.isEmpty ?? true else {
            throw mapFailure(
                .invalidResponse(
                    endpoint: "-", path: "/v3/lease/grant", reason: answer.error ?? "no lease ID in the answer"),
                key: key.path, operation: "acquire")
        }
        return (id, Int(answer.ttl?.value ?? Int64(ttl)))
    }

    private func revoke(_ lease: Int64, key: LockKey) async throws(LockError) {
        do throws(EtcdClient.Failure) {
            let _: EtcdEmptyResponse = try await client.call(
                "/v3/lease/revoke", EtcdLeaseRequest(id: EtcdInteger(lease)))
        } catch .server(_, _, EtcdClient.notFoundCode, _) {
            // Already expired or revoked.
        } catch {
            throw mapFailure(error, key: key.path, operation: "release")
        }
    }

    /// Revokes a lease granted for a failed acquisition, even from a cancelled task; failures are left to the TTL.
    private func revokeDetached(_ lease: Int64?) async {
        guard let lease else { return }
        let client = self.client
        await Task {
            let _: EtcdEmptyResponse? = try? await client.call(
                "/v3/lease/revoke", EtcdLeaseRequest(id: EtcdInteger(lease)))
        }.value
    }

    private func transaction(
        _ key: LockKey, operation: String, compare: [EtcdCompare], success: [EtcdRequestOperation]
    ) async throws(LockError) -> EtcdTransactionResponse {
        try await call("/v3/kv/txn", EtcdTransactionRequest(compare: compare, success: success), key, operation)
    }

    private func call<Response: Decodable>(
        _ path: String, _ body: some Encodable, _ key: LockKey, _ operation: String
    ) async throws(LockError) -> Response {
        do throws(EtcdClient.Failure) {
            return try await client.call(path, body)
        } catch {
            throw mapFailure(error, key: key.path, operation: operation)
        }
    }

    private func holderPath(_ key: LockKey, _ holderID: String) -> String {
        key.path + "/" + holderID
    }

    private func decodeHolder(_ entry: EtcdKeyValue, _ key: LockKey) throws(LockError) -> LockHolder {
        do {
            return try LockHolder.decode(LockHolder.self, from: entry.valueData)
        } catch {
            throw LockError(
                .corruptData(location: "etcd key \(entry.keyText)", reason: "not a lock holder: \(error)"),
                key: key.path)
        }
    }

    private func mapFailure(_ failure: EtcdClient.Failure, key: String, operation: String) -> LockError {
        switch failure {
        case .cancelled:
            return LockError(.cancelled, key: key)
        case .unreachable(let attempts):
            let reason =
                endpoints.isEmpty
                ? "no etcd endpoint is configured"
                : "no endpoint answered: " + attempts.joined(separator: "; ")
            return LockError(
                .backendUnavailable(backend: backendDescription, operation: operation, reason: reason), key: key)
        case .server(let endpoint, let path, let code, let message):
            let status = code.map { " (gRPC code \($0))" } ?? ""
            return LockError(
                .backendUnavailable(
                    backend: "etcd at \(endpoint)", operation: operation,
                    reason: "POST \(path) answered '\(message)'\(status)"),
                key: key)
        case .invalidResponse(let endpoint, let path, let reason):
            return LockError(
                .backendUnavailable(
                    backend: endpoint == "-" ? backendDescription : "etcd at \(endpoint)", operation: operation,
                    reason: "unexpected answer to POST \(path): \(reason)"),
                key: key)
        }
    }
}
