import Cumin
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A session whose `ssh` has already closed its stdin (a host that went down) fails that host; it must not end the
/// process with SIGPIPE when the next command is written.
@Suite struct BrokenPipeTests {
    @Test func writingToASessionWhoseSSHClosedItsInputFailsTheHostOnly() async throws {
        let directory = NSTemporaryDirectory() + "cumin-epipe-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Closes stdin at once, then lingers, so every write to it meets a pipe without a reader.
        let fakeSSH = directory + "/ssh"
        try "#!/bin/sh\nexec 0<&-\nsleep 0.3\nexit 255\n".write(toFile: fakeSSH, atomically: true, encoding: .utf8)
        _ = chmod(fakeSSH, 0o755)
        var configuration = Configuration()
        configuration.clustershell.sshPath = fakeSSH
        signal(SIGPIPE, SIG_DFL)  // as in a fresh process: the transport itself must make broken pipes harmless
        let transport = try OpenSSHTransport(configuration: configuration, connectionReuse: .session)
        for _ in 0..<3 {
            let result = await transport.run(Command("echo hello " + String(repeating: "x", count: 200_000)), on: "gone", output: nil)
            #expect(result.exitCode != 0)
        }
        await transport.shutdown(hosts: ["gone"])
    }
}
