import Foundation

/// A temporary directory tree for one test, removed when the value is released.
final class TempTree {
    let root: String

    init() {
        root = (NSTemporaryDirectory() as NSString).appendingPathComponent("scap-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `text` at `relative` (directories created) and returns the absolute path.
    @discardableResult
    func write(_ relative: String, _ text: String) -> String {
        let path = (root as NSString).appendingPathComponent(relative)
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }
}
