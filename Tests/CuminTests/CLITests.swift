import Cumin
import Foundation
import TestBed
import TestSupport
import Testing

/// The `cumin` executable end to end on a bed of real sshds: output layout, exit codes, Ctrl-C.
@Suite(.serialized) struct CLITests {
    private func writeConfig(_ bed: TestBed) throws -> String {
        let path = bed.directory + "/cumin-config.yaml"
        try """
        transport: clustershell
        log_file: \(bed.directory)/cumin.log
        default_backend: direct
        clustershell:
          ssh_options: ['-F \(bed.sshConfigPath)', '-o ConnectTimeout=5']
          fanout: 16
        """.write(toFile: path, atomically: true, encoding: .utf8)
        try "web: D{host[1-2]}\n".write(toFile: bed.directory + "/aliases.yaml", atomically: true, encoding: .utf8)
        return path
    }

    private func cumin(_ arguments: [String], timeout: Double = 60, whileRunning: ((Process) throws -> Void)? = nil)
        throws -> ProcessOutput
    {
        try runProcess(productPath("cumin"), arguments, timeout: timeout, whileRunning: whileRunning)
    }

    @Test(.tags(.sshd)) func dryRunListsTheHosts() async throws {
        try await withCuminBed { bed, _ in
            let config = try writeConfig(bed)
            let output = try cumin(["-c", config, "-n", "A:web or D{host3}"])
            #expect(output.status == 0)
            #expect(output.stdout == "host[1-3]\n")
            #expect(output.stderr == "3 hosts will be targeted:\nDRY-RUN mode enabled, aborting\n")
        }
    }

    /// Standard output and standard error used to be read from two pipes and interleaved by arrival, so identical
    /// hosts could land in different groups. Merged on the host, they always form one group, in both modes.
    @Test(.tags(.sshd)) func mixedOutputOfIdenticalHostsIsOneGroup() async throws {
        try await withCuminBed(hosts: 8) { bed, _ in
            let config = try writeConfig(bed)
            let command = "printf 'a\\nb\\n'; echo err >&2"
            let group = "(8) host[1-8]\n----- OUTPUT for command #1: '\(command)' -----\na\nb\nerr\n"
            for _ in 0..<3 {
                let output = try cumin(["-c", config, "-n", "--force", "--no-progress", "host[1-8]", command])
                #expect(output.status == 0, "\(output.stderr)")
                #expect(output.stdout == "===== NODE GROUP =====\n" + group + "================\n")
            }
            let session = try cumin([
                "-c", config, "-n", "--force", "--no-progress", "-m", "sync", "host[1-8]", command, "echo err2 >&2; echo out2",
            ])
            #expect(session.status == 0, "\(session.stderr)")
            #expect(session.stdout.components(separatedBy: "===== NODE GROUP =====").count == 3)
            #expect(session.stdout.contains(group))
            #expect(session.stdout.contains("(8) host[1-8]\n----- OUTPUT for command #2: 'echo err2 >&2; echo out2' -----\nerr2\nout2\n"))
        }
    }

    @Test(.tags(.sshd)) func groupsOutputsAndSummarises() async throws {
        try await withCuminBed { bed, _ in
            let config = try writeConfig(bed)
            let output = try cumin(["-c", config, "-n", "--force", "--no-progress", "host[1-3]", "echo same"])
            #expect(output.status == 0)
            #expect(
                output.stdout == """
                    ===== NODE GROUP =====
                    (3) host[1-3]
                    ----- OUTPUT for command #1: 'echo same' -----
                    same
                    ================

                    """)
            #expect(
                output.stderr.hasSuffix(
                    """
                    100.0% (3/3) success ratio (>= 100.0% threshold) for command #1: 'echo same'.
                    100.0% (3/3) success ratio (>= 100.0% threshold) of nodes successfully executed all commands.

                    """))
            let log = try String(contentsOfFile: bed.directory + "/cumin.log", encoding: .utf8)
            #expect(log.contains("Cumin execution completed (exit_code=0)"))
        }
    }

    @Test(.tags(.sshd)) func exitCodesFollowTheThreshold() async throws {
        try await withCuminBed { bed, _ in
            let config = try writeConfig(bed)
            try bed.stopHost("host3")
            let below = try cumin(["-c", config, "-n", "--force", "--no-progress", "host[1-3]", "true"])
            #expect(below.status == 2)
            #expect(below.stderr.contains("33.3% (1/3) of nodes failed to execute command #1: 'true': host3"))
            #expect(
                below.stderr.contains(
                    "66.7% (2/3) success ratio (< 100.0% threshold) for command #1: 'true'. Aborting.: host[1-2]"))
            let above = try cumin(["-c", config, "-n", "--force", "--no-progress", "-p", "50", "host[1-3]", "true"])
            #expect(above.status == 1)
        }
    }

    @Test(.tags(.sshd)) func singleHostStreamsEveryCommandOverOneSession() async throws {
        try await withCuminBed { bed, _ in
            let config = try writeConfig(bed)
            let before = try bed.authenticationCount(of: "host2")
            let output = try cumin([
                "-c", config, "-n", "--force", "--no-progress", "-m", "sync", "host2", "echo one", "printf two",
            ])
            #expect(output.status == 0)
            #expect(
                output.stdout == """
                    ----- OUTPUT for command #1: 'echo one' -----
                    one
                    ================
                    ----- OUTPUT for command #2: 'printf two' -----
                    two
                    ================

                    """)
            #expect(try bed.authenticationCount(of: "host2") - before == 1)
        }
    }

    @Test(.tags(.sshd)) func refusesWithoutATerminalOrForce() async throws {
        try await withCuminBed { bed, _ in
            let config = try writeConfig(bed)
            let output = try cumin(["-c", config, "-n", "host[1-2]", "hostname"])
            #expect(output.status == 99)
            #expect(output.stderr.contains("Not in a TTY but neither DRY-RUN nor FORCE mode were specified."))
        }
    }

    @Test(.tags(.sshd)) func formattedOutput() async throws {
        try await withCuminBed { bed, _ in
            let config = try writeConfig(bed)
            let json = try cumin([
                "-c", config, "-n", "--force", "--no-progress", "-o", "json", "host[1-2]", "echo hi; echo there",
            ])
            #expect(json.status == 0)
            #expect(
                json.stdout
                    == "_____FORMATTED_OUTPUT_____\n{\n    \"host1\": \"hi\\nthere\",\n    \"host2\": \"hi\\nthere\"\n}\n"
            )
            let txt = try cumin(["-c", config, "-n", "--force", "--no-progress", "-o", "txt", "host[1-2]", "echo hi"])
            #expect(txt.stdout == "_____FORMATTED_OUTPUT_____\nhost1: hi\nhost2: hi\n")
        }
    }

    @Test func usageErrorsExitTwo() throws {
        let output = try cumin(["--force", "host1", "echo a", "echo b", "-c", "/nonexistent.yaml"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("-m/--mode is required when there are multiple COMMANDS"))
        let badBatch = try cumin(["-b", "0", "host1", "true"])
        #expect(badBatch.status == 2)
    }

    @Test(.tags(.sshd)) func ctrlCKillsTheChildrenAndExits98() async throws {
        try await withCuminBed { bed, _ in
            let config = try writeConfig(bed)
            let marker = "sleep 31.25"
            let clock = ContinuousClock()
            var interruptedAt = clock.now
            let output = try cumin(["-c", config, "-n", "--force", "--no-progress", "host[1-3]", marker], timeout: 30) {
                process in
                usleep(1_500_000)
                interruptedAt = clock.now
                kill(process.processIdentifier, SIGINT)
            }
            #expect(clock.now - interruptedAt < .seconds(20))
            #expect(output.status == 98)
            #expect(output.stderr.contains("Execution interrupted by Ctrl+c/SIGINT/Aborted"))
            let leftovers = try runProcess("/usr/bin/pgrep", ["-f", "ssh.*\(marker)"])
            #expect(leftovers.stdout.isEmpty, "ssh clients left behind: \(leftovers.stdout)")
        }
    }

    @Test func aThousandHostsFitALowFileLimit() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // An ssh stand-in that runs the command locally: this test is about processes and descriptors, not SSH.
        let fakeSSH = try directory.write("fake-ssh", "#!/bin/sh\nfor last; do :; done\nexec /bin/sh -c \"$last\"\n")
        chmod(fakeSSH, 0o755)
        let config = try directory.write(
            "config.yaml",
            """
            transport: clustershell
            default_backend: direct
            clustershell:
              ssh_path: \(fakeSSH)
              fanout: 1000
            """)
        let cumin = productPath("cumin")
        let output = try runProcess(
            "/bin/sh",
            [
                "-c", "ulimit -n 256 && exec \"$0\" -c \"$1\" -n --force --no-progress 'h[1-1000]' 'echo ok'", cumin,
                config,
            ],
            timeout: 300)
        #expect(output.status == 0, "\(output.stderr.suffix(2000))")
        #expect(output.stdout.contains("(1000) h[1-1000]"))
        #expect(output.stderr.contains("100.0% (1000/1000) success ratio"))
    }
}
