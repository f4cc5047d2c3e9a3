import Foundation
import Synchronization

@testable import Scap

/// A deploy repository on the controller: a git working tree with `version.txt` commits and a `scap/` directory.
struct DeployRepoFixture {
    let tree = TempTree()
    var root: String { tree.root }

    /// Creates the repository with a first commit `v1`.
    init(groups: [(name: String, hosts: [String])], extraConfig: String = "") throws {
        try git(["init", "--quiet", "-b", "main"])
        var config = "[global]\ngit_repo: web\nlock_file: \(tree.path("web.lock"))\n"
        config += "server_groups: \(groups.map(\.name).joined(separator: ", "))\n"
        for group in groups {
            let key = group.name == "default" ? "dsh_targets" : "\(group.name)_dsh_targets"
            config += "\(key): \(group.name)-targets\n"
            tree.write("scap/\(group.name)-targets", group.hosts.joined(separator: "\n") + "\n")
        }
        tree.write("scap/scap.cfg", config + extraConfig)
        try commit(version: 1)
    }

    /// Commits `version.txt` = `v<version>` and returns the commit id.
    @discardableResult
    func commit(version: Int) throws -> String {
        tree.write("version.txt", "v\(version)\n")
        try git(["add", "version.txt"])
        try git(["-c", "user.name=Scap Test", "-c", "user.email=scap@example.org", "commit", "--quiet", "-m", "v\(version)"])
        return try git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    func git(_ arguments: [String]) throws -> String {
        let output = try runTool("/usr/bin/git", ["-C", root] + arguments)
        guard output.status == 0 else { throw TargetTestFailure("git \(arguments) failed: \(output.stderr)") }
        return output.stdout
    }

    /// The effective configuration (no system file).
    func config(overrides: [String] = []) throws -> ScapConfig {
        var loader = ScapConfigLoader(root: root, overrides: overrides)
        loader.systemConfigPath = nil
        return try loader.load()
    }

    /// A request with test-friendly locks: a private global lock and short waits.
    func request(revision: String? = nil, message: String = "test deploy") -> DeployRequest {
        DeployRequest(
            root: root, revision: revision, message: message, globalLockPath: tree.path("global.lock"),
            lockTimeout: .seconds(1), lockPollInterval: .milliseconds(100), systemGroupDirectory: nil)
    }

    /// The records of the newest deploy log.
    func latestLog() throws -> [DeployLogRecord] {
        guard let file = DeployLogDirectory(root: root).latestFile() else { throw TargetTestFailure("no deploy log") }
        return try DeployLogDirectory.records(inFile: file)
    }
}

/// Collects console lines.
final class ConsoleLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
    var print: @Sendable (String) -> Void { { [self] in append($0) } }
}

/// A stage executor that records each call and fails the listed hosts at the listed stages.
final class FakeStageExecutor: DeployStageExecutor {
    struct Call: Equatable {
        var stage: DeployStage
        var hosts: [String]
    }

    private let recorded = Mutex<[Call]>([])
    let failing: [DeployStage: Set<String>]
    let noop: Bool

    init(failing: [DeployStage: Set<String>] = [:], noop: Bool = false) {
        self.failing = failing
        self.noop = noop
    }

    var calls: [Call] { recorded.withLock { $0 } }

    func run(_ stage: DeployStage, plans: [String: TargetStagePlan]) async throws(TargetStageRunnerError)
        -> [String: TargetHostOutcome]
    {
        recorded.withLock { $0.append(Call(stage: stage, hosts: plans.keys.sorted())) }
        var outcomes: [String: TargetHostOutcome] = [:]
        for (host, plan) in plans {
            let fails = failing[stage]?.contains(host) == true
            outcomes[host] = TargetHostOutcome(
                host: host, status: fails ? .failed : (noop ? .noop : .ok),
                message: fails ? "Check 'smoke' failed: broken" : "done", revision: plan.revision,
                exitCode: fails ? 1 : 0)
        }
        return outcomes
    }
}

/// Answers prompts from a script and records the questions.
final class ScriptedPrompter: DeployPrompter {
    private let state: Mutex<(answers: [ContinueAnswer], asked: [String])>
    let rollback: Bool

    init(_ answers: [ContinueAnswer], rollback: Bool = true) {
        state = Mutex((answers: answers, asked: []))
        self.rollback = rollback
    }

    var asked: [String] { state.withLock { $0.asked } }

    func shouldContinue(after label: String) async -> ContinueAnswer {
        state.withLock { state in
            state.asked.append("continue after \(label)")
            return state.answers.isEmpty ? .yes : state.answers.removeFirst()
        }
    }

    func shouldRollback(after failure: String) async -> Bool {
        state.withLock { $0.asked.append("rollback after \(failure)") }
        return rollback
    }
}
