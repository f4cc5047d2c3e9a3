import Foundation

/// A small git repository on the controller with one commit per version, each writing `version.txt`.
struct GitFixture {
    var directory: String
    /// The commit ids, in order (v1 first).
    var commits: [String]

    /// The URL targets fetch from.
    var url: String { "file://" + directory }

    /// Creates the repository with `versions` commits (`v1`, `v2`, ...) in a fresh temporary directory.
    init(versions: Int) throws {
        directory = NSTemporaryDirectory() + "scap-target-repo-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        commits = []
        try git(["init", "--quiet", "-b", "main"])
        for version in 1...versions {
            try "v\(version)\n".write(toFile: directory + "/version.txt", atomically: true, encoding: .utf8)
            try git(["add", "version.txt"])
            try git(["-c", "user.name=Scap Test", "-c", "user.email=scap@example.org", "commit", "--quiet", "-m", "v\(version)"])
            commits.append(try git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    @discardableResult
    private func git(_ arguments: [String]) throws -> String {
        let output = try runTool("/usr/bin/git", ["-C", directory] + arguments)
        guard output.status == 0 else { throw TargetTestFailure("git \(arguments) failed: \(output.stderr)") }
        return output.stdout
    }

    /// Points the lightweight tag `name` at `commit`, moving it when it exists.
    func tag(_ name: String, at commit: String) throws {
        try git(["tag", "--force", name, commit])
    }

    /// Removes the repository.
    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
