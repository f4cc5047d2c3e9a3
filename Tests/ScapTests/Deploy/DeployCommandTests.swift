import Foundation
import TestBed
import TestSupport
import Testing

@testable import Scap

/// The `scap deploy` executable: exit codes, errors, and one deploy over the bed.
@Suite struct DeployCommandTests {
    var scap: String { productPath("scap") }

    @Test func missingConfigurationIsAClearFailure() throws {
        let tree = TempTree()
        let output = try runTool(scap, ["deploy", "msg"], currentDirectory: tree.root)
        #expect(output.status == 1)
        #expect(output.stderr.contains("Deployment configuration not found"))
    }

    @Test(.enabled(if: getuid() == 0, "needs root")) func rootThroughSudoIsRefused() throws {
        let repo = try DeployRepoFixture(groups: [("default", ["host1"])])
        for command in [["deploy", "msg"], ["lock", "reason"]] {
            let refused = try runTool("/usr/bin/env", ["SUDO_USER=alice", scap] + command, currentDirectory: repo.root)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("Scap should not be run as root: run it as alice, without sudo"))
        }
        // Root from the start (a container, CI) may deploy: it gets past the check to the lock.
        let direct = try runTool(
            "/usr/bin/env", ["-u", "SUDO_USER", scap, "deploy", "--lock-timeout", "0", "-l", "nohost", "msg"],
            currentDirectory: repo.root)
        #expect(!direct.stderr.contains("should not be run as root"), "\(direct.stderr)")
    }

    @Test func aFailureRingsTheBellOnlyOnATerminal() throws {
        let tree = TempTree()
        let plain = try runTool(scap, ["deploy", "msg"], currentDirectory: tree.root)
        #expect(plain.status == 1)
        #expect(!plain.stderr.contains("\u{07}"))
        // In a pseudo-terminal (util-linux script), stderr is a tty.
        let command = "exec '\(scap)' deploy msg"
        let terminal = try runTool("/usr/bin/script", ["-qfec", command, "/dev/null"], currentDirectory: tree.root)
        #expect(terminal.status == 1)
        #expect(terminal.stdout.contains("Deployment configuration not found"))
        #expect(terminal.stdout.hasSuffix("\u{07}"), "\(terminal.stdout.debugDescription)")
    }

    @Test func usageErrorsExitTwo() throws {
        let repo = try DeployRepoFixture(groups: [("default", ["host1"])])
        let badStage = try runTool(scap, ["deploy", "-s", "fetch,bogus", "msg"], currentDirectory: repo.root)
        #expect(badStage.status == 2)
        #expect(badStage.stderr.contains("unknown stage 'bogus'"))
        let badOption = try runTool(scap, ["deploy", "--no-such-option"], currentDirectory: repo.root)
        #expect(badOption.status == 2)
        let badKey = try runTool(scap, ["deploy", "-D", "no_such_key:1", "msg"], currentDirectory: repo.root)
        #expect(badKey.status == 1)
        #expect(badKey.stderr.contains("no_such_key"))
    }

    @Test(.tags(.sshd)) func deploysOverSSHAndSecondRunIsANoop() async throws {
        try await withTargetBed(hosts: 2) { bed in
            let repo = try DeployRepoFixture(groups: [("canary", ["host1"]), ("default", ["host2"])])
            let arguments = [
                "deploy", "--ssh-config", bed.sshConfigPath, "--global-lock", repo.tree.path("global.lock"),
                "--lock-timeout", "5", "from", "the", "cli",
            ]
            let first = try runTool(scap, arguments, currentDirectory: repo.root, timeout: 120)
            #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
            #expect(first.stdout.contains("Started deploy [web@"))
            #expect(first.stdout.contains("]: from the cli (duration: "))
            let sha = try repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
            for host in bed.hosts {
                let link = bed.srvPath(of: host) + "/deployment/web"
                #expect(
                    try FileManager.default.destinationOfSymbolicLink(atPath: link)
                        == "/srv/deployment/web-cache/revs/\(sha)")
            }
            let second = try runTool(scap, arguments, currentDirectory: repo.root, timeout: 120)
            #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
            #expect(second.stdout.contains("fetch stage(s): ok: 0; noop: 1; fail: 0"))
        }
    }
}
