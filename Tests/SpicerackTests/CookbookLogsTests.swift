import Foundation
import Spicerack
import TestBed
import TestSupport
import Testing

@Suite("cookbook logs, run records and IRC", .tags(.compiler))
struct CookbookLogsTests {
    @Test func logFilesUseSpicerackFormats() async throws {
        let fixture = try #require(SharedDemo.fixture)
        let before = RunRecord.read(from: fixture.logs + "/cookbook-runs.jsonl").count
        let result = try await fixture.run(["demo.classy", "-r", "maintenance", "-t", "T12345"])
        #expect(result.status == 0)
        let normal = fixture.log("demo/classy.log")
        let extended = fixture.log("demo/classy-extended.log")
        let pid = #"\d+"#
        let date = #"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"#
        let start = try Regex(
            "\(date) tester \(pid) \\[INFO\\] START - Cookbook demo.classy for reason='maintenance' task='T12345'")
        #expect(normal.contains(start))
        #expect(!normal.contains("[DEBUG"))
        let stats = try Regex("\(date) tester \(pid) \\[DEBUG spicerack.cookbook:\\d+ in runReporting\\] __COOKBOOK_STATS__:name=demo.classy,exit_code=0")
        #expect(extended.contains(stats))
        #expect(extended.contains("[INFO spicerack_sal_announce:"))
        // One JSON record per run, with what an audit needs.
        let records = RunRecord.read(from: fixture.logs + "/cookbook-runs.jsonl")
        #expect(records.count > before)
        let record = try #require(records.last { $0.name == "demo.classy" && $0.arguments.contains("T12345") })
        #expect(record.user == "tester")
        #expect(record.exitCode == 0)
        #expect(record.status == "PASS")
        #expect(record.description == "for reason='maintenance' task='T12345'")
    }

    @Test func dryRunMarksTheFiles() async throws {
        let fixture = try #require(SharedDemo.fixture)
        _ = try await fixture.run(["-d", "demo.multi.First"])
        let normal = fixture.log("demo/multi.First.log")
        #expect(normal.contains(" DRY-RUN tester "))
    }

    @Test func salAndIRCUseTheTcpircbotWireFormat() async throws {
        let listener = try TCPListener()
        defer { listener.stop() }
        listener.accept(count: 4)
        let fixture = try CookbookFixture(
            "irc", files: DemoTree.files.filter { $0.key.hasPrefix("_") || $0.key == "demo/announce.swift" },
            extraConfig: "tcpircbot_host: 127.0.0.1\ntcpircbot_port: \(listener.port)\n")
        let result = try await fixture.run(["demo.announce"])
        #expect(result.status == 0)
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        let messages = listener.messages(count: 4, timeout: .seconds(10))
        #expect(
            messages == [
                "!log tester@\(host) START - Cookbook demo.announce",
                "tester@\(host) plain IRC message",
                "!log tester@\(host) SAL message",
                "!log tester@\(host) END (PASS) - Cookbook demo.announce (exit_code=0)",
            ])
        // Dry runs never talk to IRC.
        let quiet = try TCPListener()
        defer { quiet.stop() }
        quiet.accept(count: 1)
        try """
            cookbooks_base_dirs: [\(fixture.tree)]
            logs_base_dir: \(fixture.logs)
            cookbooks_cache_dir: \(fixture.root)/cache
            tcpircbot_host: 127.0.0.1
            tcpircbot_port: \(quiet.port)
            """.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        #expect(try await fixture.run(["-d", "demo.announce"]).status == 0)
        #expect(quiet.messages(count: 1, timeout: .milliseconds(300)).isEmpty)
    }
}
