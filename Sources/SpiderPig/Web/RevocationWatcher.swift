import Foundation

/// Closes the WebSockets of ended sessions and banned users within ``interval`` of the change, whoever made it:
/// `spiderpig admin ban|logout|logout-all` runs in another process and only writes the database, so the server
/// polls the store's revocation generation (one small read) and, when it moved, checks its viewers' sessions.
struct RevocationWatcher {
    let store: any SpiderPigStore
    let hub: Hub
    /// How often the generation is read.
    static let interval: Duration = .milliseconds(250)

    /// Polls until cancelled.
    func run() async {
        var seen = (try? await store.revocationGeneration()) ?? 0
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.interval)
            guard let now = try? await store.revocationGeneration(), now != seen else { continue }
            seen = now
            await sweep()
        }
    }

    /// Closes the viewers whose session is gone or expired, or whose user is banned. A database error counts as
    /// "still valid": the viewer's heartbeat checks again.
    func sweep() async {
        let viewers = await hub.viewers
        var ended = Set<String>()
        var banned = Set<String>()
        for hash in Set(viewers.map(\.sessionHash)) {
            do {
                if try await store.session(idHash: hash, now: Date()) == nil { ended.insert(hash) }
            } catch { continue }
        }
        for user in Set(viewers.map(\.user)) {
            do {
                if try await store.user(user)?.banned == true { banned.insert(user) }
            } catch { continue }
        }
        guard !ended.isEmpty || !banned.isEmpty else { return }
        await hub.disconnect(
            endedSessions: ended, bannedUsers: banned, reason: banned.isEmpty ? "session ended" : "banned")
    }
}
