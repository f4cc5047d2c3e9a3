import Foundation
import TestBed
import TestSupport
import Testing

/// `cumin --transport native` end to end: the real executable against real sshds.
@Suite(.tags(.sshd), .serialized) struct NativeCLITests {
    @Test func cuminSelectsTheNativeTransportAndSumsUpFallbacks() async throws {
        try await withBed(hosts: 2) { bed, _ in
            let sshConfig = bed.directory + "/cli_ssh_config"
            let bedConfig = try String(contentsOfFile: bed.sshConfigPath, encoding: .utf8)
            try "Host host2\n  ProxyJump host1\n\n\(bedConfig)".write(toFile: sshConfig, atomically: true, encoding: .utf8)
            let config = bed.directory + "/cumin.yaml"
            try """
                transport: clustershell
                default_backend: direct
                clustershell:
                    ssh_options: ['-F \(sshConfig)']
                    connect_timeout: 5
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let before = try bed.authenticationCount(of: "host1")
            let cumin = productPath("cumin")
            let run = try runTool(cumin, [
                "-c", config, "--transport", "native", "--force", "--no-progress", "-n", "-m", "sync", "host1",
                "echo one", "echo two",
            ])
            #expect(run.status == 0, "\(run.error)")
            #expect((run.output + run.error).contains("one") && (run.output + run.error).contains("two"))
            // Two commands, one handshake: the native transport, not one ssh per command.
            #expect(try bed.authenticationCount(of: "host1") - before == 1)

            let notes = try runTool(cumin, [
                "-c", config, "--transport", "native", "--force", "--no-progress", "-n", "-p", "0", "host[1-2]", "true",
            ]).error
            #expect(notes.contains("1 host through OpenSSH: ProxyJump"), "\(notes)")
        }
    }
}
