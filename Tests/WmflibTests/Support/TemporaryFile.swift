import Foundation

/// Writes `contents` to a fresh file in the temporary directory and returns its path.
func temporaryFile(_ contents: String, suffix: String) throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("wmflib-\(UUID().uuidString)\(suffix)").path
    try contents.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
