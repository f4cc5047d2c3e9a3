import Cumin
import Foundation

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
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("scap-git-\(UUID().uuidString)")
        let outPath = scratch.path + ".out"
        let errPath = scratch.path + ".err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let status: Int32
        do {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["-C", directory] + arguments
            process.environment = ChildEnvironment.inherited()
            process.standardInput = FileHandle.nullDevice
            let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            defer {
                try? out.close()
                try? err.close()
            }
            process.standardOutput = out
            process.standardError = err
            status = try await withCheckedThrowingContinuation { continuation in
                process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                do {
                    try process.run()
                } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: error)
                }
            }
        } catch {
            throw DeployError("cannot run \(executable): \(error.localizedDescription)")
        }
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let stderr = ((try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw DeployError("git \(arguments.joined(separator: " ")) failed in \(directory) (exit \(status)): \(stderr)")
        }
        return stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
