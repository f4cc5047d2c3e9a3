import Cumin
import Foundation
import TestSupport
import Testing

/// The `cumin` command's flow (query, dry run, confirmation, exit codes) through ``CuminApplication``.
@Suite struct ApplicationTests {
    private func application(answers: [String] = [], interactive: Bool = false) -> (CuminApplication, Console) {
        let console = Console.memory()
        let queue = AnswerQueue(answers)
        let app = CuminApplication(
            console: console, environment: ["USER": "alice"], readAnswer: { queue.next() },
            isInteractive: interactive)
        return (app, console)
    }

    private func invocation(_ directory: TemporaryDirectory, _ query: String, _ commands: [String] = [])
        throws -> CuminInvocation
    {
        let config = try directory.write(
            "config.yaml",
            """
            transport: noop
            log_file: \(directory.path)/logs/cumin.log
            default_backend: direct
            """)
        try directory.write("aliases.yaml", "web: D{web[1-3]}\n")
        var invocation = CuminInvocation()
        invocation.configPath = config
        invocation.hostsQuery = query
        invocation.commands = commands
        invocation.noColors = true
        invocation.noProgress = true
        return invocation
    }

    @Test func dryRunPrintsTheFoldedSetOnStdout() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (app, console) = application()
        let code = await app.run(try invocation(directory, "bench-host-[001-010] and not bench-host-005"))
        #expect(code == 0)
        #expect(console.capturedStdout == "bench-host-[001-004,006-010]\n")
        #expect(console.capturedStderr == "9 hosts will be targeted:\nDRY-RUN mode enabled, aborting\n")
    }

    @Test func aliasesAndTheGlobalGrammarWork() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (app, console) = application()
        let code = await app.run(try invocation(directory, "A:web or D{web9}"))
        #expect(code == 0)
        #expect(console.capturedStdout == "web[1-3,9]\n")
    }

    @Test func noMatchingHostsExitsZero() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (app, console) = application()
        let code = await app.run(try invocation(directory, "nomatch and not nomatch", ["hostname"]))
        #expect(code == 0)
        #expect(console.capturedStderr == "No hosts found that matches the query\n")
    }

    @Test func invalidQueryIsAnExecutionError() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (app, console) = application()
        let code = await app.run(try invocation(directory, "host[1-3", ["true"]))
        #expect(code == 99)
        #expect(console.capturedStderr.contains("host[1-3"))
    }

    @Test func refusesToRunOutsideATerminalWithoutForce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (app, console) = application(interactive: false)
        let code = await app.run(try invocation(directory, "host[1-2]", ["hostname"]))
        #expect(code == 99)
        #expect(console.capturedStderr.contains("Not in a TTY but neither DRY-RUN nor FORCE mode were specified."))
    }

    @Test func confirmationNeedsTheNumberOfHosts() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (app, console) = application(answers: ["", "3", "2"], interactive: true)
        let code = await app.run(try invocation(directory, "host[1-2]", ["true"]))
        #expect(code == 0)
        #expect(console.capturedStderr.contains("OK to proceed on 2 hosts?"))
        let (quitting, _) = application(answers: ["q"], interactive: true)
        #expect(await quitting.run(try invocation(directory, "host[1-2]", ["true"])) == 98)
    }

    @Test func forceRunsAndLogsTheRealUser() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (app, console) = application()
        var arguments = try invocation(directory, "host[1-3]", ["true"])
        arguments.force = true
        #expect(await app.run(arguments) == 0)
        #expect(console.capturedStderr.contains("FORCE mode enabled, continuing without confirmation"))
        #expect(
            console.capturedStderr.contains("100.0% (3/3) success ratio (>= 100.0% threshold) for command #1: 'true'."))
        let log = try String(contentsOfFile: directory.path + "/logs/cumin.log", encoding: .utf8)
        #expect(log.contains("[INFO alice "))
        #expect(log.contains("Cumin execution completed (exit_code=0)"))
    }

    @Test func usageErrorsExitTwo() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (app, console) = application()
        let code = await app.run(try invocation(directory, "host1", ["echo a", "echo b"]))
        #expect(code == 2)
        #expect(console.capturedStderr.contains("-m/--mode is required when there are multiple COMMANDS"))
    }

    @Test func configurationErrorsNameTheFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("bad.yaml", "transport: clustershell\nclustershell:\n  fanout: lots\n")
        let (app, console) = application()
        var arguments = CuminInvocation()
        arguments.configPath = path
        arguments.hostsQuery = "host1"
        #expect(await app.run(arguments) == 2)
        #expect(console.capturedStderr.contains("\(path):3:11: key 'clustershell.fanout': expected a positive integer"))
    }

    @Test func formattedOutputMatchesCumin() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (app, console) = application()
        var arguments = try invocation(directory, "host[1-2]", ["true"])
        arguments.force = true
        arguments.output = .json
        #expect(await app.run(arguments) == 0)
        #expect(console.capturedStdout == "_____FORMATTED_OUTPUT_____\n{}\n")
    }
}

/// Answers handed out one by one to the confirmation prompt.
final class AnswerQueue: Sendable {
    private let answers: Mutex<[String]>
    init(_ answers: [String]) { self.answers = Mutex(answers) }
    func next() -> String? { answers.withLock { $0.isEmpty ? nil : $0.removeFirst() } }
}

import Synchronization
