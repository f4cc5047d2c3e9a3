import Foundation

/// The path of a PyPI tool installed by `scripts/setup.sh` into the tools venv, `<repository>/.venv/bin/<name>`,
/// found by walking up from `filePath` to the directory of `Package.swift`; nil when it is not installed.
///
/// ```swift
/// let confctl = try #require(venvTool("confctl"), "run scripts/setup.sh")
/// ```
public func venvTool(_ name: String, filePath: String = #filePath) -> String? {
    var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    for _ in 0..<8 {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            let path = directory.appendingPathComponent(".venv/bin/" + name).path
            return FileManager.default.isExecutableFile(atPath: path) ? path : nil
        }
        directory = directory.deletingLastPathComponent()
    }
    return nil
}
