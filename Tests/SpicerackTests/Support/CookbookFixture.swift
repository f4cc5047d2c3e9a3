import TestBed
import Foundation

/// A cookbook tree, its configuration, logs and cache in a temporary directory, and a way to run the real
/// `cookbook` binary on it.
final class CookbookFixture: Sendable {
    let root: String
    var tree: String { root + "/tree" }
    var logs: String { root + "/logs" }
    var configPath: String { root + "/config.yaml" }

    /// Creates the tree from `files` (relative path → contents) and a configuration with `extraConfig` appended.
    init(_ label: String, files: [String: String], extraConfig: String = "", instanceParameters: String = "") throws {
        root = NSTemporaryDirectory() + "cookbook-tests-\(label)-\(getpid())-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: root + "/tree", withIntermediateDirectories: true)
        for (path, contents) in files { try write(path, contents) }
        let config = """
            cookbooks_base_dirs: [\(tree)]
            logs_base_dir: \(logs)
            cookbooks_cache_dir: \(root)/cache
            instance_params:
              locks_dir: \(root)/locks
              lock_tries: 1

            """.replacingOccurrences(of: "  lock_tries: 1\n", with: "  lock_tries: 1\n" + instanceParameters) + extraConfig
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Writes a file of the tree.
    func write(_ relative: String, _ contents: String) throws {
        let path = tree + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Starts `cookbook -c CONFIG <arguments>`.
    func start(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
        var env = ProcessInfo.processInfo.environment
        env["USER"] = "tester"
        env.removeValue(forKey: "SUDO_USER")
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        return try ChildProcess(productPath("cookbook"), ["-c", configPath] + arguments, environment: env)
    }

    /// Runs `cookbook -c CONFIG <arguments>` to the end.
    func run(_ arguments: [String], input: String? = nil, environment: [String: String] = [:], timeout: Double = 180)
        async throws -> ChildProcess.Output
    {
        let child = try start(arguments, environment: environment)
        if let input { child.send(input) }
        return await child.finish(timeout: timeout)
    }

    /// Reads a file under the logs directory.
    func log(_ relative: String) -> String {
        (try? String(contentsOfFile: logs + "/" + relative, encoding: .utf8)) ?? ""
    }
}
