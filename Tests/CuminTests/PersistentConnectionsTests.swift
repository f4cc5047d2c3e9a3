import Cumin
import Foundation
import NodeSet
import TestBed
import TestSupport
import Testing

/// Persistent OpenSSH masters over real sshds: a later run (a new transport, as a new process would make) logs in
/// no more, and `close()` (`cumin --close-connections`) ends them.
@Suite(.tags(.sshd), .serialized) struct PersistentConnectionsTests {
    @Test func laterRunsReuseTheMastersUntilClosed() async throws {
        try await withCuminBed(hosts: 2) { bed, configuration in
            var configuration = configuration
            configuration.clustershell.persistConnections = 60
            let directory = try PersistentConnections.directory()
            var info = stat()
            #expect(lstat(directory, &info) == 0 && info.st_mode & 0o777 == 0o700 && info.st_uid == geteuid())
            let before = try bed.hosts.map { try bed.authenticationCount(of: $0) }
            for round in 1...2 {
                let transport = try OpenSSHTransport(configuration: configuration, connectionReuse: .persistent)
                let results = try await Executor(transport: transport)
                    .run([Command("echo \(round)")], on: try NodeSet("host[1-2]"))
                #expect(results.hosts.allSatisfy { $0.results.first?.stdoutText == "\(round)\n" })
            }
            let after = try bed.hosts.map { try bed.authenticationCount(of: $0) }
            #expect(zip(after, before).map { $0 - $1 } == [1, 1])
            #expect(Set(PersistentConnections.list().map(\.host)).isSuperset(of: ["host1", "host2"]))
            let closed = await PersistentConnections.close()
            #expect(closed.contains("host1") && closed.contains("host2"))
            #expect(PersistentConnections.list().isEmpty)
        }
    }
}
