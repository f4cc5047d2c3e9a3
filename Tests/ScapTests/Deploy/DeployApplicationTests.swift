import Cumin
import Foundation
import Synchronization
import TestBed
import TestSupport
import Testing

@testable import Scap

/// `DeployApplication` in process, as SpiderPig and `scap backport` call it: its output, errors and exit codes.
@Suite struct DeployApplicationTests {
    /// Collects what the application writes to its standard output and error.
    final class Streams: Sendable {
        private let text = Mutex((output: "", error: ""))
        var output: String { text.withLock { $0.output } }
        var error: String { text.withLock { $0.error } }

        func invocation(directory: String, environment: [String: String] = [:]) -> ScapInvocation {
            ScapInvocation(
                directory: directory, environment: environment,
                writeOutput: { line in self.text.withLock { $0.output += line } },
                writeError: { line in self.text.withLock { $0.error += line } }, readLine: { nil }, userID: 1000)
        }
    }

    func options(_ repo: DeployRepoFixture, message: String = "in process") -> DeployOptions {
        var options = DeployOptions()
        options.globalLock = repo.tree.path("global.lock")
        options.lockTimeout = 5
        options.message = message
        return options
    }

    @Test func missingConfigurationIsAnError() async {
        let tree = TempTree()
        let streams = Streams()
        let code = await DeployApplication(invocation: streams.invocation(directory: tree.root)).run(DeployOptions())
        #expect(code == 1)
        #expect(streams.error.hasPrefix("scap deploy: Deployment configuration not found: \(tree.root)/scap/scap.cfg"))
        #expect(streams.output.isEmpty)
    }

    @Test func usageErrorsExitTwoAndCarryTheDeployError() async throws {
        let repo = try DeployRepoFixture(groups: [("default", ["host1"])])
        let streams = Streams()
        var options = options(repo)
        options.stages = "fetch,bogus"
        let application = DeployApplication(invocation: streams.invocation(directory: repo.root))
        #expect(await application.run(options) == 2)
        #expect(streams.error.contains("scap deploy: unknown stage 'bogus' in -s/--stages"))
        let error = await #expect(throws: DeployApplicationError.self) { try await application.deploy(options) }
        #expect(error?.exitCode == 2)
        #expect(error?.underlying?.kind == .usage)
    }

    @Test func initOnlyTagsTheRevisionWithoutTouchingTargets() async throws {
        let repo = try DeployRepoFixture(groups: [("default", ["host1.invalid"])])
        let streams = Streams()
        var options = options(repo)
        options.initOnly = true
        let outcome = try await DeployApplication(invocation: streams.invocation(directory: repo.root)).deploy(options)
        #expect(outcome.succeeded)
        #expect(outcome.reports.isEmpty)
        #expect(streams.output.contains("Initialised [web@"))
        #expect(FileManager.default.fileExists(atPath: repo.tree.path(".git/DEPLOY_HEAD")))
        #expect(try repo.git(["tag", "--list", "scap/sync/*"]).contains("scap/sync/"))
    }

    @Test(.tags(.sshd)) func deploysOverSSHInMachineMode() async throws {
        try await withTargetBed(hosts: 2) { bed in
            let repo = try DeployRepoFixture(groups: [("canary", ["host1"]), ("default", ["host2"])])
            let streams = Streams()
            var options = options(repo)
            options.sshConfig = bed.sshConfigPath
            let invocation = streams.invocation(
                directory: repo.root, environment: ["SPIDERPIG_IO_KEY": "k1", "SPIDERPIG_REAL_USER": "alice"])
            let code = await DeployApplication(invocation: invocation).run(options)
            #expect(code == 0, "\(streams.output)\n\(streams.error)")
            let lines = streams.output.split(separator: "\n")
            #expect(!lines.isEmpty && lines.allSatisfy { $0.contains(#""iokey":"k1""#) }, "\(streams.output)")
            #expect(streams.output.contains("Started deploy [web@"))
            #expect(streams.output.contains(#""subtype":"choices""#))
            let sha = try repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
            for host in bed.hosts {
                let link = bed.srvPath(of: host) + "/deployment/web"
                #expect(
                    try FileManager.default.destinationOfSymbolicLink(atPath: link)
                        == "/srv/deployment/web-cache/revs/\(sha)")
            }
            #expect(try repo.latestLog().contains { $0.value(ofField: "user") == .string("alice") })
        }
    }

    @Test func persistentConnectionsServeTheNextDeployWithoutLogins() async throws {
        try await withTargetBed(hosts: 2) { bed in
            let repo = try DeployRepoFixture(groups: [("default", ["host1", "host2"])])
            let logins = {
                bed.hosts.map { host in
                    let log = (try? String(contentsOfFile: bed.directory + "/hosts/\(host)/sshd.log", encoding: .utf8))
                    return (log ?? "").components(separatedBy: "Accepted publickey").count - 1
                }
            }
            let socketsBefore = Set(PersistentConnections.list().map(\.socket))
            defer {
                // Only this test's masters: other tests of this user may hold theirs.
                for (_, socket) in PersistentConnections.list() where !socketsBefore.contains(socket) {
                    _ = try? runTool(
                        "/usr/bin/ssh", ["-F", "/dev/null", "-oControlPath=\(socket)", "-O", "exit", "scap-test"])
                    unlink(socket)
                    unlink(socket + ".host")
                }
            }
            let before = logins()
            for round in 1...2 {
                _ = try repo.commit(version: round + 1)
                let streams = Streams()
                var options = options(repo, message: "round \(round)")
                options.sshConfig = bed.sshConfigPath
                // The scap.cfg key; `--persist-connections` sets the same through DeployOptions.persistConnections.
                options.defines = ["ssh_persist_connections:60"]
                let code = await DeployApplication(invocation: streams.invocation(directory: repo.root)).run(options)
                #expect(code == 0, "\(streams.output)\n\(streams.error)")
                let counts = logins()
                // One login per target for the first deploy (its master), none for the second.
                #expect(zip(counts, before).map { $0 - $1 } == [1, 1], "round \(round)")
            }
            let mastered = PersistentConnections.list().filter { !socketsBefore.contains($0.socket) }.map(\.host)
            #expect(Set(mastered) == ["host1", "host2"])
        }
    }
}
