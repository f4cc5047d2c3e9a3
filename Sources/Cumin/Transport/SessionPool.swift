import Synchronization

/// The live ``RemoteShellSession`` of each host, created on first use.
final class SessionPool: Sendable {
    private let sessions = Mutex<[String: RemoteShellSession]>([:])

    /// The host's session, started with `make` when there is none or the previous one ended.
    func session(for host: String, make: () -> RemoteShellSession) -> RemoteShellSession {
        sessions.withLock { sessions in
            if let session = sessions[host], session.isAlive { return session }
            let session = make()
            sessions[host] = session
            return session
        }
    }

    /// Forgets `session` (ended or killed), so the next command to `host` starts a new one.
    func discard(_ host: String, _ session: RemoteShellSession) {
        sessions.withLock { sessions in
            if sessions[host] === session { sessions[host] = nil }
        }
    }

    /// Ends every session cleanly and waits for them.
    func closeAll() async {
        let all = sessions.withLock { sessions in
            defer { sessions.removeAll() }
            return Array(sessions.values)
        }
        await withTaskGroup(of: Void.self) { group in
            for session in all { group.addTask { await session.close() } }
        }
    }
}
