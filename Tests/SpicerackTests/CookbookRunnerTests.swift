import Foundation
import Spicerack
import TestSupport
import Testing

/// The demo tree, built once per test process and shared (the build lock serialises the first build).
enum SharedDemo {
    static let fixture: CookbookFixture? = try? CookbookFixture("demo", files: DemoTree.files)
}

@Suite("cookbook runner: lifecycle, exit codes and output", .tags(.compiler))
struct CookbookRunnerTests {
    let demo: CookbookFixture

    init() throws {
        demo = try #require(SharedDemo.fixture)
    }

    @Test func listsTheTreeWithOwners() async throws {
        let result = try await demo.run(["-l"])
        #expect(result.status == 0)
        #expect(
            result.stdout == """
                cookbooks
                `-- demo
                    |-- demo.announce [research-team]
                    |-- demo.classy [class-owners]
                    |-- demo.confirm [research-team]
                    |-- demo.exclusive [research-team]
                    |-- demo.fails [research-team]
                    |-- demo.group
                    |   `-- demo.group.inner [research-team]
                    |-- demo.hello [research-team]
                    |-- demo.initfail [research-team]
                    |-- demo.initsuccess [research-team]
                    |-- demo.multi.First [research-team]
                    |-- demo.multi.Second [research-team]
                    |-- demo.raises [research-team]
                    |-- demo.retrying [research-team]
                    |-- demo.slow [research-team]
                    |-- demo.sysexit [research-team]
                    `-- demo.wrapper [research-team]

                """)
        // The broken files are reported with file:line:column and left out; the rest of the tree lists.
        #expect(result.stderr.contains("other/broken.swift:6:16: error: cannot find 'undefinedThing' in scope"))
        #expect(result.stderr.contains("other/notacookbook.swift:1:1: no cookbook found"))
    }

    @Test func verboseListingWithPrefix() async throws {
        let result = try await demo.run(["-l", "-v", "demo.gr"])
        #expect(result.status == 0)
        #expect(
            result.stdout == """
                cookbooks
                `-- demo: Demo cookbooks for the research report.
                    `-- demo.group: Nested group title
                        `-- demo.group.inner: Inner cookbook in a nested group. [research-team]

                """)
        #expect(try await demo.run(["-l", "nothing.matches"]).stdout == "")
    }

    @Test func runsACookbookWithArguments() async throws {
        let result = try await demo.run(["demo.hello", "--name", "Bob"])
        #expect(result.status == 0)
        #expect(result.stdout == "Hello Bob (dry_run=false, verbose=false)\n")
        #expect(result.stderr.hasSuffix("START - Cookbook demo.hello\nA warning line\nEND (PASS) - Cookbook demo.hello (exit_code=0)\n"))
        // A path works as well as a dotted name.
        #expect(try await demo.run(["demo/hello.swift"]).status == 0)
    }

    @Test func dryRunPrefixesEveryLineAndShowsDebug() async throws {
        let result = try await demo.run(["-d", "demo.hello"])
        #expect(result.status == 0)
        let lines = result.stderr.split(separator: "\n").filter {
            !$0.hasPrefix("Failed to compile") && !$0.hasPrefix("Compiling the cookbook tree")
        }
        #expect(lines.allSatisfy { $0.hasPrefix("DRY-RUN: ") })
        #expect(lines.contains("DRY-RUN: Executing cookbook demo.hello with args: []"))
        #expect(lines.contains("DRY-RUN: A debug line"))
        // The statistics line goes to the extended log only.
        #expect(!result.stderr.contains("__COOKBOOK_STATS__"))
        #expect(result.stdout.contains("dry_run=true"))
    }

    @Test(arguments: [
        (["demo.fails"], Int32(5), "END (FAIL) - Cookbook demo.fails (exit_code=5)"),
        (["demo.raises"], 99, "END (FAIL) - Cookbook demo.raises (exit_code=99)"),
        (["demo.sysexit"], 7, "END (ERROR) - Cookbook demo.sysexit (exit_code=7)"),
        (["demo.classy", "--fail", "-r", "because"], 3, "END (FAIL) - Cookbook demo.classy (exit_code=3) for reason='because' task=''"),
        (["demo.classy", "--fail", "--raise-in-rollback"], 93, "END (FAIL) - Cookbook demo.classy (exit_code=93) for reason=None task=''"),
        (["demo.classy", "--skip-sal", "-t", "T123"], 0, "DONE (PASS) - Cookbook demo.classy (exit_code=0) for reason=None task='T123'"),
        (["demo.initfail"], 94, "Exception raised while initializing the Cookbook demo.initfail:\nDemoError: bad init"),
        (["demo.initsuccess"], 0, "Nothing to do, all hosts are already up to date"),
        (["demo.nothere"], 98, "Unable to find cookbook demo.nothere"),
        (["demo.fails", "extra"], 2, "cookbook [GLOBAL_ARGS] demo.fails: error: Unexpected argument 'extra'"),
        (["demo.classy", "-t", "bad"], 2, "Invalid task ID 'bad' for -t/--task-id"),
        (["demo.classy", "-r", "has \"quotes\""], 2, "cannot contain double quotes"),
        (["--bogus"], 2, "cookbook: error: unrecognized arguments: --bogus"),
        (["demo.confirm"], 99, "InputError: Not in a TTY, unable to ask for input"),
        (["demo.retrying"], 99, "[2/3, retrying in 0.01s] Not ready: still down"),
        (["-d", "demo.retrying"], 99, "DRY-RUN: Reduce tries from 3 to 1 in DRY-RUN mode"),
    ] as [([String], Int32, String)])
    func exitCodes(arguments: [String], expected: Int32, message: String) async throws {
        let result = try await demo.run(arguments)
        #expect(result.status == expected, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }

    @Test func rollbackRunsOnFailureOnly() async throws {
        #expect(try await demo.run(["demo.classy", "--fail"]).stderr.contains("Rollback called"))
        // A run that throws is rolled back too (no SSH bed needed: the rollback only logs).
        let thrown = try await demo.run(["demo.classy", "--raise-in-run"])
        #expect(thrown.status == 99, "\(thrown.stderr)")
        #expect(thrown.stderr.contains("boom in run"))
        #expect(thrown.stderr.contains("Rollback called"), "\(thrown.stderr)")
        #expect(!(try await demo.run(["demo.classy"]).stderr.contains("Rollback called")))
        // Init success and init failure never reach START, END or the lock.
        let early = try await demo.run(["demo.initsuccess"])
        #expect(!early.stderr.contains("START"))
        #expect(!early.stderr.contains("END"))
    }

    @Test func cookbookHelpShowsOwnerAndUsage() async throws {
        let result = try await demo.run(["demo.classy", "-h"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("usage: cookbook [GLOBAL_ARGS] demo.classy"))
        #expect(result.stdout.contains("\n\nClass API cookbook with rollback.\n\n"))
        #expect(result.stdout.contains("--task-id"))
        #expect(result.stdout.hasSuffix("Cookbook owner team: class-owners\n"))
    }

    @Test func nestedRunsShareTheLogsAndReturnExitCodes() async throws {
        let result = try await demo.run(["demo.wrapper"])
        #expect(result.status == 0)
        #expect(
            result.stderr.contains(
                """
                START - Cookbook demo.wrapper
                START - Cookbook demo.hello
                A warning line
                END (PASS) - Cookbook demo.hello (exit_code=0)
                START - Cookbook demo.fails
                About to fail
                END (FAIL) - Cookbook demo.fails (exit_code=5)
                nested exit codes 0 5
                END (PASS) - Cookbook demo.wrapper (exit_code=0)
                """))
        #expect(result.stdout == "Hello Nested (dry_run=false, verbose=false)\n")
    }

    @Test func ctrlCInterruptsRollsBackAndExits97() async throws {
        let child = try demo.start(["demo.slow"])
        #expect(await child.waitFor("Sleeping", timeout: 120))
        child.signal(SIGINT)
        let result = await child.finish(timeout: 30)
        #expect(result.status == 97)
        #expect(result.stderr.contains("Ctrl+c pressed"))
        #expect(result.stderr.contains("Rolled back after interruption"))
        #expect(result.stderr.contains("END (ERROR) - Cookbook demo.slow (exit_code=97)"))
    }

    @Test func globalHelpAndUsage() async throws {
        let help = try await demo.run(["-h"])
        #expect(help.status == 0)
        #expect(help.stdout.hasPrefix("usage: cookbook [-h] [-l] [-c CONFIG_FILE] [-d] [-v] [--no-locks]"))
        #expect(help.stdout.contains("92 lock not"))
    }
}
