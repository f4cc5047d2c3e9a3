import Cumin
import Foundation
import OpsSupport

/// Runs `git` in a deploy repository without blocking a thread while it runs.
struct GitCommand: Sendable {
    /// The repository's working tree.
    var directory: String
    /// The git executable.
    var executable: String = GitCommand.defaultExecutable

    static let defaultExecutable: String = {
        for candidate in ["/usr/bin/git", "/usr/local/bin/git", "/opt/homebrew/bin/git"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "/usr/bin/git"
    }()

    /// Runs `git -C directory arguments…` and returns its standard output, trimmed.
    /// - Throws: ``DeployError`` with git's standard error when it exits non-zero or cannot start.
    @discardableResult
    func run(_ arguments: [String]) async throws(DeployError) -> String {
        var git = ChildProcess(executable, ["-C", directory] + arguments)
        git.environment = ChildEnvironment.inherited()
        let result: ChildProcessResult
        do {
            result = try await git.run()
        } catch {
            throw DeployError(error.description)
        }
        guard result.succeeded else {
            let code: String =
                switch result.termination {
                case .exited(let status): "exit \(status)"
                case .signaled(let number): "signal \(number)"
                }
            let stderr = result.standardErrorText.trimmingCharacters(in: .whitespacesAndNewlines)
            throw DeployError("git \(arguments.joined(separator: " ")) failed in \(directory) (\(code)): \(stderr)")
        }
        return result.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
