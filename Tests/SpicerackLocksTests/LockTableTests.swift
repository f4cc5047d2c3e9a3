import Foundation
import SpicerackLocks
import Testing

@Suite("Lock table")
struct LockTableTests {
    private let now = Date(timeIntervalSince1970: 1_790_000_000)

    private func holder(_ user: String, pid: Int32, age: Double, ttl: Int, waiting: Bool = false, label: String? = nil)
        -> LockHolder
    {
        var holder = LockHolder(
            identity: LockIdentity(user: user, host: "cumin1001", pid: pid), concurrency: 0, ttl: ttl,
            created: now.addingTimeInterval(-age), waitingForInput: waiting, label: label)
        holder.refreshed = now.addingTimeInterval(-10)
        return holder
    }

    @Test("holders are listed by key, oldest first, with age, time left and waiting state")
    func table() throws {
        let reboot = try LockKey(prefix: .cookbooks, name: "sre.hosts.reboot")
        let custom = try LockKey(prefix: .custom, name: "db-maintenance")
        let table = LockTable(
            [
                reboot: [
                    holder("bob", pid: 77, age: 30, ttl: 1800),
                    holder("alice", pid: 4242, age: 3725, ttl: 600, waiting: true),
                ],
                custom: [holder("carol", pid: 9, age: 5, ttl: 60, label: "sre.mysql.switch s1")],
            ], now: now)
        #expect(
            table.description == """
                KEY                                          OWNER            PID   AGE    LEFT     WAITING  LABEL
                /spicerack/locks/cookbooks/sre.hosts.reboot  alice@cumin1001  4242  1h 2m  9m 50s   yes
                /spicerack/locks/cookbooks/sre.hosts.reboot  bob@cumin1001    77    30s    29m 50s  no
                /spicerack/locks/custom/db-maintenance       carol@cumin1001  9     5s     50s      no       sre.mysql.switch s1
                """)
    }

    @Test("an empty table says so")
    func empty() {
        #expect(LockTable([:]).description == "No locks held.")
    }

    @Test("without labels there is no LABEL column")
    func noLabels() throws {
        let key = try LockKey(prefix: .custom, name: "x")
        let table = LockTable([key: [holder("bob", pid: 1, age: 1, ttl: 60)]], now: now)
        #expect(table.description.hasPrefix("KEY                        OWNER          PID  AGE  LEFT  WAITING\n"))
        #expect(table.rows == [["/spicerack/locks/custom/x", "bob@cumin1001", "1", "1s", "50s", "no"]])
    }
}
