import Foundation

/// The path of an executable product built with the tests (e.g. `cumin`, `cookbook`): beside the test runner,
/// else in the package's `.build/debug`, found by walking up from `filePath` to the directory of `Package.swift`.
public func productPath(_ name: String, filePath: String = #filePath) -> String {
    var candidates: [URL] = []
    if let runner = Bundle.main.executableURL?.deletingLastPathComponent() { candidates.append(runner) }
    candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
    var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    for _ in 0..<8 {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            candidates.append(directory.appendingPathComponent(".build/debug"))
            break
        }
        directory = directory.deletingLastPathComponent()
    }
    for candidate in candidates {
        let path = candidate.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return candidates[0].appendingPathComponent(name).path
}
