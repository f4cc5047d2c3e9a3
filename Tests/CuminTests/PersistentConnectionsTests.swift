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

    @Test func laterRunsTalkToTheMasterWithoutAnSSHProcess() async throws {
        try await withCuminBed(hosts: 2) { bed, configuration in
            var configuration = configuration
            configuration.clustershell.persistConnections = 60
            // An `ssh` that counts its starts: after the first run, no command may start one.
            let calls = bed.directory + "/ssh-calls"
            let wrapper = bed.directory + "/counting-ssh"
            try "#!/bin/sh\necho x >> \(calls)\nexec /usr/bin/ssh \"$@\"\n".write(
                toFile: wrapper, atomically: true, encoding: .utf8)
            chmod(wrapper, 0o755)
            configuration.clustershell.sshPath = wrapper
            let starts = { ((try? String(contentsOfFile: calls, encoding: .utf8)) ?? "").count(where: { $0 == "\n" }) }
            // Masters in a directory of this test's own: another test process's `close()` cannot end them.
            let directory = bed.directory + "/masters"
            #expect(mkdir(directory, 0o700) == 0)
            defer {
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                for entry in entries where !entry.hasSuffix(".host") {
                    _ = try? runProcess(
                        "/usr/bin/ssh",
                        ["-F", "/dev/null", "-oControlPath=\(directory)/\(entry)", "-O", "exit", "cumin-test"])
                }
            }
            let persistent = { (merge: Bool) throws(ExecutionError) in
                try OpenSSHTransport(
                    configuration: configuration, connectionReuse: .persistent, mergeStandardError: merge,
                    persistentDirectory: directory)
            }
            let hosts = try NodeSet("host[1-2]")
            let first = try await Executor(transport: try persistent(false)).run([Command("echo first")], on: hosts)
            #expect(first.hosts.allSatisfy { $0.results.first?.stdoutText == "first\n" })
            #expect(starts() == 2)
            let logins = try bed.hosts.map { try bed.authenticationCount(of: $0) }

            let transport = try persistent(false)
            let options = ExecutionOptions(successThreshold: 0)
            var results = try await Executor(transport: transport, options: options).run(
                [Command("printf 'a\\nb\\n'; echo err >&2; echo $CUMIN_TESTBED_HOST; exit 3")], on: hosts)
            for host in ["host1", "host2"] {
                #expect(results.host(host)?.results.first?.stdoutText == "a\nb\n\(host)\n")
                #expect(results.host(host)?.results.first?.stderrText == "err\n")
                #expect(results.host(host)?.exitCodes == [3])
            }
            let merged = try persistent(true)
            results = try await Executor(transport: merged).run([Command("echo out; echo err >&2")], on: hosts)
            #expect(results.hosts.allSatisfy { $0.results.first?.stdoutText == "out\nerr\n" })
            // A command killed by a signal ends with 255, as `ssh` does.
            results = try await Executor(transport: transport, options: options)
                .run([Command("kill -KILL $$")], on: hosts)
            #expect(results.hosts.allSatisfy { $0.exitCodes == [255] })
            // A timeout ends the command at once.
            let start = ContinuousClock.now
            results = try await Executor(transport: transport, options: options)
                .run([Command("sleep 30", timeout: .seconds(1))], on: hosts)
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(results.hosts.allSatisfy { $0.state == .timeout })
            #expect(starts() == 2)
            #expect(try bed.hosts.map { try bed.authenticationCount(of: $0) } == logins)
        }
    }
}
