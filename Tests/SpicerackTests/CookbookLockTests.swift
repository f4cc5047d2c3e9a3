import Foundation
import Spicerack
import TestBed
import TestSupport
import Testing

@Suite("cookbook locks between processes (local backend and real etcd)", .tags(.etcd, .compiler))
struct CookbookLockTests {
    enum Backend: String, CaseIterable, Sendable { case local, etcd }

    @Test(arguments: Backend.allCases)
    func aSecondRunWaitsThenFailsReadablyWith92(backend: Backend) async throws {
        var etcd: EtcdServer?
        var parameters = "  lock_retry_delay: 0.2\n"
        if backend == .etcd {
            let server = try EtcdServer()
            etcd = server
            let file = NSTemporaryDirectory() + "etcd-\(getpid())-\(UUID().uuidString.prefix(6)).yaml"
            try "endpoints: [\(server.endpoint)]\n".write(toFile: file, atomically: true, encoding: .utf8)
            parameters += "  etcd_config: \(file)\n"
        }
        defer { etcd?.stop() }
        let files = DemoTree.files.filter { $0.key.hasPrefix("_") || $0.key.hasPrefix("demo/exclusive") || $0.key == "demo/_group.yaml" }
        let fixture = try CookbookFixture("locks-\(backend)", files: files, instanceParameters: parameters)
        #expect(try await fixture.run(["build"]).status == 0)

        let holder = try fixture.start(["demo.exclusive"])
        #expect(await holder.waitFor("Holding the lock", timeout: 60))

        // The second run is refused with its own exit code and says who holds the lock.
        let second = try await fixture.run(["demo.exclusive"])
        #expect(second.status == 92, "\(second.stderr)")
        #expect(second.stderr.contains("Unable to run cookbook demo.exclusive"))
        #expect(second.stderr.contains("tester@"))
        #expect(second.stderr.contains("[\(holder.pid)]"))
        #expect(!second.stderr.contains("START"))

        // Inspectable: holder, pid, time left.
        let table = try await fixture.run(["--locks"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("cookbooks/demo.exclusive"))
        #expect(table.stdout.contains("\(holder.pid)"))

        // A dry run checks without writing and fails at once as well.
        #expect(try await fixture.run(["-d", "demo.exclusive"]).status == 92)
        // --no-locks bypasses it.
        let bypass = try fixture.start(["--no-locks", "demo.exclusive"])
        #expect(await bypass.waitFor("Holding the lock", timeout: 60))
        bypass.signal(SIGINT)
        #expect(await bypass.finish(timeout: 30).status == 97)

        // Ctrl+C on the holder releases the lock on its way out; the next run gets it.
        holder.signal(SIGINT)
        #expect(await holder.finish(timeout: 30).status == 97)
        #expect(try await fixture.run(["--locks"]).stdout == "No locks held.\n")
        let third = try fixture.start(["demo.exclusive"])
        #expect(await third.waitFor("Holding the lock", timeout: 60))
        third.signal(SIGINT)
        #expect(await third.finish(timeout: 30).status == 97)
    }
}

@Suite("cookbook --locks shows who waits at a prompt", .tags(.compiler))
struct CookbookLockInspectionTests {
    @Test func aRunWaitingForInputIsFlagged() async throws {
        let demo = try #require(SharedDemo.fixture)
        let command = [productPath("cookbook"), "-c", demo.configPath, "demo.confirm"]
            .map { "'" + $0 + "'" }.joined(separator: " ")
        var environment = ProcessInfo.processInfo.environment
        environment["USER"] = "tester"
        // `script` runs the command through $SHELL -c; dash (CI has no $SHELL, so /bin/sh) stays in between
        // and dies of the Ctrl-C itself, so exec the command.
        environment["SHELL"] = "/bin/sh"
        let child = try ChildProcess("/usr/bin/script", ["-qfec", "exec " + command, "/dev/null"], environment: environment)
        #expect(await child.waitFor("Type \"go\" to proceed", timeout: 120))
        try await Task.sleep(for: .milliseconds(500))
        let table = try await demo.run(["--locks"])
        let line = table.stdout.split(separator: "\n").first { $0.contains("cookbooks/demo.confirm") }
        #expect(line?.contains(" yes") == true, "\(table.stdout)")
        child.send("go\n")
        let result = await child.finish(timeout: 60)
        #expect(result.status == 0)
        #expect(result.stdout.contains("END (PASS) - Cookbook demo.confirm"))
    }
}
