import Cumin
import Foundation
import TestBed
import TestSupport
import Testing

@testable import Scap

/// `SPIDERPIG_IO_KEY` authenticates scap's records to its supervisor: no child of scap may see it.
@Suite struct ChildEnvironmentTests {
    var scap: String { productPath("scap") }

    @Test func theKeyIsWithheld() {
        let inherited = ChildEnvironment.inherited(["SPIDERPIG_IO_KEY": "k", "PATH": "/bin"])
        #expect(inherited == ["PATH": "/bin"])
    }

    /// ssh runs `Match exec` commands (as it runs a ProxyCommand) with its own environment: record it.
    @Test(.tags(.sshd)) func sshAndItsCommandsDoNotSeeTheKey() async throws {
        try await withTargetBed(hosts: 1) { bed in
            let repo = try DeployRepoFixture(groups: [("default", ["host1"])])
            let seen = repo.tree.path("ssh-environment")
            let config = repo.tree.write(
                "ssh_config", "Include \(bed.sshConfigPath)\nMatch exec \"env >> \(seen); exit 1\"\n")
            let key = "k" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
            let child = try RunningProcess(
                scap,
                [
                    "deploy", "--ssh-config", config, "--global-lock", repo.tree.path("global.lock"),
                    "--lock-timeout", "5", "environment check",
                ],
                environment: scapTestEnvironment.merging([SpiderPigIO.keyVariable: key]) { $1 },
                currentDirectory: repo.root)
            defer { child.kill() }
            #expect(await child.exitStatus(timeout: 120) == 0, "\(child.lines) \(child.stderr)")
            let environment = try String(contentsOfFile: seen, encoding: .utf8)
            #expect(environment.contains("PATH="), "ssh ran the Match exec command")
            #expect(!environment.contains(key))
            #expect(!environment.contains(SpiderPigIO.keyVariable))
        }
    }
}
