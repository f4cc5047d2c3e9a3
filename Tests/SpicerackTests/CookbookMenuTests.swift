import TestBed
import Foundation
import TestSupport
import Testing

@Suite("cookbook menu", .tags(.compiler))
struct CookbookMenuTests {
    let demo: CookbookFixture

    init() throws {
        demo = try #require(SharedDemo.fixture)
    }

    /// Runs the menu in a pseudo-terminal (util-linux `script`), typing `lines` one by one.
    private func menu(_ arguments: [String], typing lines: [String]) async throws -> (status: Int32, screen: String) {
        let command = ([productPath("cookbook"), "-c", demo.configPath] + arguments)
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        var environment = ProcessInfo.processInfo.environment
        environment["USER"] = "tester"
        // `script` runs the command through $SHELL -c; dash (CI has no $SHELL, so /bin/sh) stays in between
        // and dies of the Ctrl-C itself, so exec the command.
        environment["SHELL"] = "/bin/sh"
        let child = try ChildProcess("/usr/bin/script", ["-qfec", "exec " + command, "/dev/null"], environment: environment)
        for line in lines {
            #expect(await child.waitFor(">>> ", timeout: 120))
            let before = child.stdout.components(separatedBy: ">>> ").count
            child.send(line)
            // Wait for the next prompt before typing on (bounded).
            let deadline = Date().addingTimeInterval(60)
            while child.stdout.components(separatedBy: ">>> ").count <= before && Date() < deadline {
                if line.contains("\u{03}") || line == "q\n" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let result = await child.finish(timeout: 60)
        return (result.status, result.stdout.replacingOccurrences(of: "\r", with: ""))
    }

    @Test func navigatesRunsAndKeepsStatuses() async throws {
        let (status, screen) = try await menu(["demo.group"], typing: ["inner\n", "1\n", "nonsense\n", "h\n", "q\n"])
        #expect(status == 0)
        #expect(screen.contains("#--- Nested group title args=[] ---#\n1) [NOTRUN] inner: Inner cookbook in a nested group.\nb - Back to parent menu\nh - Help\n>>> ") == false)
        #expect(screen.contains("#--- Nested group title args=[] ---#\n1) [NOTRUN] inner: Inner cookbook in a nested group.\nq - Quit\nh - Help\n>>> "))
        #expect(screen.contains("START - Cookbook demo.group.inner"))
        #expect(screen.contains("inner ran"))
        #expect(screen.contains("1) [PASS] inner: Inner cookbook in a nested group."))
        #expect(screen.contains("==> Invalid input <=="))
        #expect(screen.contains("Cookbooks interactive menu help"))
        // Statuses are kept across sessions; a group counts its cookbooks that ran.
        let (_, again) = try await menu(["demo"], typing: ["q\n"])
        #expect(again.contains("[1/1] group: Nested group title") || again.contains("[DONE] group: Nested group title"))
    }

    @Test func argumentsTypedAfterANameReachTheCookbook() async throws {
        let (status, screen) = try await menu(["demo"], typing: ["hello --name Menu\n", "b\n", "q\n"])
        #expect(status == 0)
        #expect(screen.contains("Hello Menu (dry_run=false, verbose=false)"))
        #expect(screen.contains("#--- Demo cookbooks for the research report. args=[] ---#"))
    }

    @Test func ctrlCAtThePromptQuits() async throws {
        let (status, screen) = try await menu([], typing: ["\u{03}"])
        #expect(status == 0)
        #expect(screen.contains("QUIT"))
    }

    @Test func notATTYPrintsOnceAndExits() async throws {
        let result = try await demo.run(["demo.group"])
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix("b - Back to parent menu\nh - Help\nNot a tty, exiting.\n") == false)
        #expect(result.stdout.hasSuffix("q - Quit\nh - Help\nNot a tty, exiting.\n"))
        #expect(result.stdout.hasPrefix("#--- Nested group title args=[] ---#\n"))
    }
}
