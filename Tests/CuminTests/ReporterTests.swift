import Cumin
import NodeSet
import Testing

/// The report layout, compared line by line with what cumin 6.0.0 prints for the same run.
@Suite struct ReporterTests {
    private func run(
        _ commands: [String], hosts: String, options: ExecutionOptions = ExecutionOptions(), quiet: Bool = false,
        behavior: @escaping @Sendable (String, String) -> ScriptedTransport.Behavior
    ) async throws -> (stdout: String, stderr: String, results: ExecutionResults) {
        let console = Console.memory()
        let reporter = CuminReporter(
            console: console, colors: Colors(enabled: false), progress: .off, mode: options.mode, quiet: quiet)
        let executor = Executor(transport: ScriptedTransport(behavior: behavior), options: options, observer: reporter)
        let results = try await executor.run(commands.map { Command($0) }, on: try NodeSet(hosts))
        return (console.capturedStdout, console.capturedStderr, results)
    }

    @Test func groupsIdenticalOutputsInCuminsOrder() async throws {
        let (stdout, stderr, results) = try await run(
            ["hostname"], hosts: "bench-host-[001-004]", options: ExecutionOptions(successThreshold: 0.5)
        ) { host, _ in
            host == "bench-host-003"
                ? .init(exitCode: 255, output: "ssh: connect to host bench-host-003 port 2299: Connection refused\n")
                : .init(output: "vm\n", delay: .milliseconds(500))
        }
        #expect(
            stdout == """
                ===== NODE GROUP =====
                (3) bench-host-[001-002,004]
                ----- OUTPUT for command #1: 'hostname' -----
                vm
                ===== NODE GROUP =====
                (1) bench-host-003
                ----- OUTPUT for command #1: 'hostname' -----
                ssh: connect to host bench-host-003 port 2299: Connection refused
                ================

                """)
        #expect(
            stderr == """
                25.0% (1/4) of nodes failed to execute command #1: 'hostname': bench-host-003
                75.0% (3/4) success ratio (>= 50.0% threshold) for command #1: 'hostname'.: bench-host-[001-002,004]
                75.0% (3/4) success ratio (>= 50.0% threshold) of nodes successfully executed all commands.: \
                bench-host-[001-002,004]

                """)
        #expect(results.status.exitCode == 1)
    }

    @Test func syncAbortsWithNoOutput() async throws {
        let (stdout, stderr, results) = try await run(
            ["echo a", "exit 3", "echo never"], hosts: "bench-host-[001-002]"
        ) {
            _, command in command == "echo a" ? .init(output: "a\n") : .init(exitCode: 3)
        }
        #expect(
            stdout == """
                ===== NODE GROUP =====
                (2) bench-host-[001-002]
                ----- OUTPUT for command #1: 'echo a' -----
                a
                ================
                ===== NO OUTPUT =====

                """)
        #expect(
            stderr == """
                100.0% (2/2) success ratio (>= 100.0% threshold) for command #1: 'echo a'.
                100.0% (2/2) of nodes failed to execute command #2: 'exit 3': bench-host-[001-002]
                0.0% (0/2) success ratio (< 100.0% threshold) for command #2: 'exit 3'. Aborting.
                0.0% (0/2) success ratio (< 100.0% threshold) of nodes successfully executed all commands. Aborting.

                """)
        #expect(results.status.exitCode == 2)
    }

    @Test func asyncPrintsEveryCommandAtTheEnd() async throws {
        let options = ExecutionOptions(mode: .async, batchSize: .count(2), successThreshold: 0.5)
        let (stdout, stderr, _) = try await run(
            ["date +%Y", "ls /nonexistent"], hosts: "bench-host-[001-004]", options: options
        ) {
            host, command in
            if host == "bench-host-003" {
                return .init(
                    exitCode: 255, output: "ssh: connect to host bench-host-003 port 2299: Connection refused\n")
            }
            if host == "bench-host-004" {
                return command == "date +%Y"
                    ? .init(output: "2026\n")
                    : .init(exitCode: 2, output: "ls: cannot access '/nonexistent': No such file or directory\n")
            }
            return command == "date +%Y"
                ? .init(output: "2026\n")
                : .init(exitCode: 2, output: "ls: cannot access '/nonexistent': No such file or directory\n")
        }
        #expect(
            stdout.contains(
                "===== NODE GROUP =====\n(3) bench-host-[001-002,004]\n----- OUTPUT for command #1: 'date +%Y' -----\n2026\n"
            ))
        #expect(stdout.contains("(3) bench-host-[001-002,004]\n----- OUTPUT for command #2: 'ls /nonexistent' -----\n"))
        #expect(
            stderr == """
                75.0% (3/4) of nodes failed to execute command #2: 'ls /nonexistent': bench-host-[001-002,004]
                25.0% (1/4) of nodes failed to execute command #1: 'date +%Y': bench-host-003
                0.0% (0/4) success ratio (< 50.0% threshold) of nodes successfully executed all commands. Aborting.

                """)
    }

    @Test func timeoutsAreReportedApartFromFailures() async throws {
        let console = Console.memory()
        let reporter = CuminReporter(console: console, colors: Colors(enabled: false), progress: .off, mode: .sync)
        let transport = ScriptedTransport { _, _ in .init(delay: .seconds(5)) }
        _ = try await Executor(transport: transport, observer: reporter)
            .run([Command("sleep 3", timeout: .milliseconds(100))], on: try NodeSet("bench-host-[001-002]"))
        #expect(console.capturedStdout == "===== NO OUTPUT =====\n")
        #expect(
            console.capturedStderr == """
                100.0% (2/2) of nodes timeout while executing command #1: 'sleep 3': bench-host-[001-002]
                0.0% (0/2) success ratio (< 100.0% threshold) for command #1: 'sleep 3'. Aborting.
                0.0% (0/2) success ratio (< 100.0% threshold) of nodes successfully executed all commands. Aborting.

                """)
    }

    @Test func singleHostStreamsLive() async throws {
        let (stdout, _, _) = try await run(["echo line1; echo line2"], hosts: "bench-host-001") { _, _ in
            .init(output: "line1\nline2")
        }
        #expect(
            stdout == "----- OUTPUT for command #1: 'echo line1; echo line2' -----\nline1\nline2\n================\n")
    }

    @Test func quietReporterPrintsOnlySummaries() async throws {
        let (stdout, stderr, _) = try await run(["echo hi"], hosts: "h[1-2]", quiet: true) { _, _ in
            .init(output: "hi\n")
        }
        #expect(stdout.isEmpty)
        #expect(stderr.hasPrefix("100.0% (2/2) success ratio (>= 100.0% threshold) for command #1: 'echo hi'."))
    }

    @Test func plainProgressShowsFailOnlyWhenAHostFailed() {
        let console = Console.memory()
        let progress = ProgressBars(console: console, colors: Colors(enabled: false), style: .plain)
        progress.reset(total: 3)
        for _ in 0..<3 { progress.update(success: true) }
        progress.close()
        #expect(console.capturedStderr.hasPrefix("PASS 100% (3/3) ["))
        #expect(!console.capturedStderr.contains("FAIL"))
        #expect(!console.capturedStderr.contains("\u{1B}"))
        progress.reset(total: 2)
        progress.update(success: true)
        progress.update(success: false)
        progress.close()
        #expect(console.capturedStderr.contains("\nPASS  50% (1/2) ["))
        #expect(console.capturedStderr.contains("\nFAIL  50% (1/2) ["))
    }

    @Test func colorsFollowCumin() {
        let colors = Colors(enabled: true)
        #expect(colors.blue("x") == "\u{1B}[34mx\u{1B}[39m")
        #expect(colors.red("") == "")
        #expect(!Colors.detect(disabledByFlag: false, environment: ["NO_COLOR": "1"], isTerminal: true).enabled)
        #expect(Colors.detect(disabledByFlag: false, environment: [:], isTerminal: true).enabled)
        #expect(!Colors.detect(disabledByFlag: true, environment: [:], isTerminal: true).enabled)
        // Not a terminal: no colours unless asked for.
        #expect(!Colors.detect(disabledByFlag: false, environment: [:], isTerminal: false).enabled)
        #expect(Colors.detect(disabledByFlag: false, environment: [:], isTerminal: false, choice: .always).enabled)
        #expect(!Colors.detect(disabledByFlag: false, environment: [:], isTerminal: true, choice: .never).enabled)
        #expect(!Colors.detect(disabledByFlag: true, environment: [:], isTerminal: true, choice: .always).enabled)
    }

    @Test(arguments: [
        ("long-command --with --many --options and arguments", 35, "long-command --w...ns and arguments"),
        ("long-command --with --many --options and arguments", 20, "long-comm...rguments"),
        ("short", 35, "short"),
    ])
    func commandsAreShortenedLikeCumin(command: String, length: Int, expected: String) {
        #expect(Command(command).shortened(to: length) == expected)
    }
}
