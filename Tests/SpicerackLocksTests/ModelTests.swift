import Foundation
import SpicerackLocks
import Testing

/// Keys, holders, errors and the retry policy.
@Suite("Model")
struct ModelTests {
    @Test("keys have Spicerack's paths")
    func paths() throws {
        #expect(
            try LockKey(prefix: .cookbooks, name: "sre.hosts.reboot").path
                == "/spicerack/locks/cookbooks/sre.hosts.reboot")
        #expect(try LockKey(prefix: .custom, name: "my-lock:db1001").path == "/spicerack/locks/custom/my-lock:db1001")
        #expect(
            try LockKey(prefix: .modules, name: "spicerack.dnsdisc").path
                == "/spicerack/locks/modules/spicerack.dnsdisc")
        let parsed = try LockKey(path: "/spicerack/locks/custom/x")
        #expect(parsed == (try LockKey(prefix: .custom, name: "x")))
    }

    @Test(
        "invalid names are refused with the reason",
        arguments: [
            (LockPrefix.custom, "", "empty"),
            (.cookbooks, "a/b", "'/'"),
            (.custom, "line\nbreak", "control characters"),
            (.modules, "dnsdisc", "start with 'spicerack.'"),
            (.custom, String(repeating: "x", count: 201), "at most 200 bytes"),
        ])
    func invalidNames(prefix: LockPrefix, name: String, reason: String) {
        let error = #expect(throws: LockError.self) { _ = try LockKey(prefix: prefix, name: name) }
        guard case .invalidName(let rejected, let why) = error?.kind else {
            Issue.record("expected an invalid name, got \(String(describing: error))")
            return
        }
        #expect(rejected == name)
        #expect(why.contains(reason))
        #expect(error?.key == "/spicerack/locks/\(prefix.rawValue)/\(name)")
        #expect(error?.description.hasPrefix("Invalid lock name") == true)
    }

    @Test(
        "paths outside the lock tree are refused",
        arguments: ["/other/x", "/spicerack/locks/unknown/x", "/spicerack/locks/custom"])
    func invalidPaths(path: String) {
        #expect(throws: LockError.self) { _ = try LockKey(path: path) }
    }

    @Test("holders are stored as readable JSON and read back to the millisecond")
    func holderJSON() throws {
        let created = Date(timeIntervalSince1970: 1_790_000_000.123)
        var holder = LockHolder(
            id: "5aa01398", identity: LockIdentity(user: "root", host: "vm", pid: 18691), concurrency: 1, ttl: 60,
            created: created, label: "demo.exclusive")
        holder.refreshed = created.addingTimeInterval(20)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let decoded = try JSONDecoder().decode(LockHolder.self, from: try JSONEncoder().encode(holder))
        #expect(decoded == holder)
        #expect(holder.owner == "root@vm [18691]")
        #expect(holder.expires == created.addingTimeInterval(80))
        #expect(holder.isExpired(at: created.addingTimeInterval(80)))
        #expect(!holder.isExpired(at: created.addingTimeInterval(79)))
    }

    @Test("a busy error says who holds the lock, for how long, and what to do")
    func busyDescription() {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        var holder = LockHolder(
            id: "1", identity: LockIdentity(user: "alice", host: "cumin1001", pid: 123), concurrency: 1, ttl: 1800,
            created: now.addingTimeInterval(-125), waitingForInput: true)
        holder.refreshed = now.addingTimeInterval(-120)
        let error = LockError(
            .busy(holders: [holder], allowed: 1), key: "/spicerack/locks/cookbooks/x", observedAt: now)
        #expect(
            error.summary
                == "held by 1 of 1 allowed:\n    alice@cumin1001 [123], pid 123, held 2m 5s, 28m left, waiting for input"
        )
        #expect(
            error.description
                == "Lock /spicerack/locks/cookbooks/x is busy: held by 1 of 1 allowed: alice@cumin1001 [123], pid 123, "
                + "held 2m 5s, 28m left, waiting for input. Wait for a holder to finish and try again (a holder that "
                + "died without releasing frees its slot within 28m at most). alice should answer the prompt of their "
                + "run.")
    }

    @Test("Spicerack's retry policy: 27 tries, linear 5 s; a dry run tries once")
    func retryPolicy() {
        let policy = LockRetryPolicy.spicerack
        #expect(policy.tries == 27)
        #expect((1...3).map { policy.delay(afterAttempt: $0) } == [.seconds(5), .seconds(10), .seconds(15)])
        #expect(policy.effective(dryRun: true).tries == 1)
        #expect(policy.effective(dryRun: false) == policy)
        #expect(LockRetryPolicy(tries: 0, delay: .seconds(1)).tries == 1)
    }
}
