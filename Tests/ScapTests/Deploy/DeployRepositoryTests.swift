import Foundation
import Testing

@testable import Scap

@Suite struct DeployRepositoryTests {
    @Test func tagsAreNumberedPerUTCDayAndAnnotated() async throws {
        let fixture = try DeployRepoFixture(groups: [("default", ["host1"])])
        let v1 = try fixture.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let repository = DeployRepository(root: fixture.root)
        let date = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00:00 UTC
        let config = try fixture.config()
        let first = try await repository.prepare(rev: "HEAD", user: "alice", config: config, date: date)
        #expect(first.tag == "scap/sync/2026-01-01/0001")
        #expect(first.commit == v1)
        #expect(first.logFileName == "scap-sync-2026-01-01-0001.log")
        let second = try await repository.prepare(rev: String(v1.prefix(8)), user: "alice", config: config, date: date)
        #expect(second.tag == "scap/sync/2026-01-01/0002")
        let message = try fixture.git(["tag", "-l", "--format=%(contents)", second.tag])
        #expect(message.contains("user alice"))
        #expect(message.contains("timestamp 2026-01-01 00:00:00"))
        #expect(try fixture.git(["rev-parse", "\(second.tag)^{commit}"]).hasPrefix(v1))
        #expect(await repository.lastDeployedCommit() == v1)
    }

    @Test func deployHeadHoldsTheRevisionAndDeployKeys() async throws {
        let fixture = try DeployRepoFixture(groups: [("default", ["host1"])], extraConfig: "service_port: 8080\n")
        let repository = DeployRepository(root: fixture.root)
        let revision = try await repository.prepare(rev: "HEAD", user: "bob", config: try fixture.config())
        let data = try Data(contentsOf: URL(fileURLWithPath: repository.deployHeadPath))
        let head = try JSONDecoder().decode([String: JSONValue].self, from: data)
        #expect(head["tag"] == .string(revision.tag))
        #expect(head["commit"] == .string(revision.commit))
        #expect(head["user"] == .string("bob"))
        #expect(head["git_repo"] == .string("web"))
        #expect(head["service_port"] == .int(8080))
        #expect(FileManager.default.fileExists(atPath: fixture.tree.path(".git/info/refs")))
    }

    @Test func oldDeployTagsArePrunedBeyondTagsToKeep() async throws {
        let fixture = try DeployRepoFixture(groups: [("default", ["host1"])], extraConfig: "tags_to_keep: 2\n")
        let repository = DeployRepository(root: fixture.root)
        let config = try fixture.config()
        for _ in 0..<3 { _ = try await repository.prepare(rev: "HEAD", user: "u", config: config) }
        let tags = try fixture.git(["tag", "--list", "scap/sync/*"]).split(separator: "\n")
        #expect(tags.count == 2)
        #expect(tags.last?.hasSuffix("/0003") == true)
    }

    @Test func unknownRevisionIsAClearError() async throws {
        let fixture = try DeployRepoFixture(groups: [("default", ["host1"])])
        do {
            _ = try await DeployRepository(root: fixture.root).resolve("nope")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("revision 'nope' is not a commit of"))
        }
    }

    @Test func gitURLIsTheServerOrTheLocalPath() throws {
        let fixture = try DeployRepoFixture(groups: [("default", ["host1"])])
        let repository = DeployRepository(root: fixture.root)
        #expect(repository.gitURL(config: try fixture.config()) == "file://" + fixture.root)
        let served = try fixture.config(overrides: ["git_server:deploy1002.eqiad.wmnet"])
        #expect(repository.gitURL(config: served) == "http://deploy1002.eqiad.wmnet/web/.git")
    }
}
