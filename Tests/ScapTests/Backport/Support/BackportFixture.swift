import Foundation
import Synchronization

@testable import Scap

/// A backport set-up on disk: a bare upstream repository, the deploy repository cloned from it (with `scap/`), and
/// an author's clone that pushes changes to `refs/changes/NN/N/P` as Gerrit lays them out.
struct BackportFixture {
    let tree = TempTree()
    var upstream: String { tree.path("upstream.git") }
    var root: String { tree.path("deploy") }
    var author: String { tree.path("author") }

    /// Creates the repositories: `main` with `version.txt` = `v1`, `scap/scap.cfg` for `groups`, and the smoke tests.
    init(groups: [(name: String, hosts: [String])], extraConfig: String = "", smokeTests: String? = nil) throws {
        try Self.git(tree.root, ["init", "--quiet", "--bare", "-b", "main", upstream])
        try Self.git(tree.root, ["clone", "--quiet", upstream, root])
        try Self.git(root, ["checkout", "--quiet", "-b", "main"])
        var config = "[global]\ngit_repo: web\nlock_file: \(tree.path("web.lock"))\nservice_timeout: 20\n"
        config += "server_groups: \(groups.map(\.name).joined(separator: ", "))\n"
        for group in groups {
            let key = group.name == "default" ? "dsh_targets" : "\(group.name)_dsh_targets"
            config += "\(key): \(group.name)-targets\n"
            tree.write("deploy/scap/\(group.name)-targets", group.hosts.joined(separator: "\n") + "\n")
        }
        tree.write("deploy/scap/scap.cfg", config + extraConfig)
        if let smokeTests { tree.write("deploy/scap/smoke-tests.yaml", smokeTests) }
        tree.write("deploy/version.txt", "v1\n")
        tree.write("deploy/.gitignore", "scap/log/\n")
        try Self.git(root, ["add", "-A"])
        try Self.git(root, Self.identity + ["commit", "--quiet", "-m", "v1"])
        try Self.git(root, ["push", "--quiet", "origin", "main"])
        try Self.git(root, ["branch", "--quiet", "--set-upstream-to=origin/main"])
        try Self.git(tree.root, ["clone", "--quiet", upstream, author])
    }

    static let identity = ["-c", "user.name=Change Author", "-c", "user.email=author@example.org"]

    @discardableResult
    static func git(_ directory: String, _ arguments: [String]) throws -> String {
        let output = try runTool("/usr/bin/git", ["-C", directory] + arguments)
        guard output.status == 0 else { throw TargetTestFailure("git \(arguments) failed: \(output.stderr)") }
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Pushes a change: a commit on `parent` (default: upstream `main`) writing `files`, as
    /// `refs/changes/NN/<number>/<patchset>`; returns its commit.
    @discardableResult
    func change(
        _ number: Int, patchset: Int = 1, parent: String? = nil, files: [String: String], subject: String,
        trailer: String? = nil
    ) throws -> String {
        try Self.git(author, ["fetch", "--quiet", "origin"])
        try Self.git(author, ["checkout", "--quiet", "--detach", parent ?? "origin/main"])
        for (path, text) in files { tree.write("author/\(path)", text) }
        try Self.git(author, ["add", "-A"])
        try Self.git(
            author, Self.identity + ["commit", "--quiet", "-m", subject + (trailer.map { "\n\n\($0)" } ?? "")])
        let commit = try Self.git(author, ["rev-parse", "HEAD"])
        let shard = String(format: "%02d", number % 100)
        try Self.git(author, ["push", "--quiet", "origin", "HEAD:refs/changes/\(shard)/\(number)/\(patchset)"])
        return commit
    }

    /// Pushes a commit straight to upstream `main` (someone else merged something).
    @discardableResult
    func pushToMain(files: [String: String], subject: String) throws -> String {
        try Self.git(author, ["fetch", "--quiet", "origin"])
        try Self.git(author, ["checkout", "--quiet", "--detach", "origin/main"])
        for (path, text) in files { tree.write("author/\(path)", text) }
        try Self.git(author, ["add", "-A"])
        try Self.git(author, Self.identity + ["commit", "--quiet", "-m", subject])
        try Self.git(author, ["push", "--quiet", "origin", "HEAD:refs/heads/main"])
        return try Self.git(author, ["rev-parse", "HEAD"])
    }

    /// Upstream `main`.
    func upstreamMain() throws -> String { try Self.git(upstream, ["rev-parse", "main"]) }

    /// The effective configuration (no system file).
    func config(overrides: [String] = []) throws -> ScapConfig {
        var loader = ScapConfigLoader(root: root, overrides: overrides)
        loader.systemConfigPath = nil
        return try loader.load()
    }

    /// Options with test-friendly locks.
    func options(_ changes: [String]) -> BackportRequest {
        var options = BackportRequest(root: root, changes: changes, user: "deployer")
        options.yes = true
        options.globalLockPath = tree.path("global.lock")
        options.lockTimeout = .seconds(2)
        options.lockPollInterval = .milliseconds(100)
        options.systemGroupDirectory = nil
        return options
    }

    /// A deploy request for the first `scap deploy` of v1.
    func deployRequest() -> DeployRequest {
        DeployRequest(
            root: root, message: "initial", user: "deployer", globalLockPath: tree.path("global.lock"),
            lockTimeout: .seconds(2), lockPollInterval: .milliseconds(100), systemGroupDirectory: nil)
    }

    /// The lines of the backport history.
    func history() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: root + "/scap/log/backport-history.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }
}

/// Answers the backport's questions from a script (by the prompt's start) and records every question.
final class ScriptedBackportPrompter: BackportPrompter {
    private let state: Mutex<(answers: [(prefix: String, code: String)], asked: [String])>
    let text: String?

    init(_ answers: [(prefix: String, code: String)] = [], text: String? = nil) {
        state = Mutex((answers: answers, asked: []))
        self.text = text
    }

    var asked: [String] { state.withLock { $0.asked } }

    func choose(_ prompt: String, choices: [BackportChoice], default defaultCode: String) async -> String {
        state.withLock { state in
            state.asked.append(prompt)
            guard let index = state.answers.firstIndex(where: { prompt.hasPrefix($0.prefix) }) else {
                return defaultCode
            }
            return state.answers.remove(at: index).code
        }
    }

    func inputLine(_ prompt: String) async -> String? {
        state.withLock { $0.asked.append(prompt) }
        return text
    }
}

/// Collects backport console lines with their sensitivity.
final class BackportLines: Sendable {
    private let lines = Mutex<[(String, Bool)]>([])
    var all: [String] { lines.withLock { $0.map(\.0) } }
    var sensitive: [String] { lines.withLock { $0.filter(\.1).map(\.0) } }
    var console: BackportConsole {
        BackportConsole(line: { [self] text, sensitive in lines.withLock { $0.append((text, sensitive)) } })
    }
}
