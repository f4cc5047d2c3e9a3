import Cumin
import Foundation

/// The POSIX sh command that prints files of a target as base64, one line each, and how its answer is read.
enum RemoteFileScript {
    static let doneMarker = "scap-remote-files-done"

    /// `scap-remote-file <i> <base64>` for each readable file, `scap-remote-file-error <i> <why>` for one that
    /// exists but cannot be read, nothing for a missing one, then the done marker.
    static func command(_ paths: [String]) -> String {
        var lines: [String] = []
        for (index, path) in paths.enumerated() {
            let q = shellSingleQuoted(path)
            lines.append(
                "if [ -f \(q) ]; then if [ -r \(q) ]; then printf 'scap-remote-file \(index) '; base64 <\(q) | "
                    + "tr -d '\\n'; printf '\\n'; else printf 'scap-remote-file-error \(index) not readable\\n'; fi; "
                    + "elif [ -e \(q) ]; then printf 'scap-remote-file-error \(index) not a regular file\\n'; fi")
        }
        lines.append("printf '%s\\n' \(doneMarker)")
        return lines.joined(separator: "\n")
    }

    /// The files of an answer, or `nil` when it was cut short (no done marker) or is not the script's.
    static func parse(_ output: String, paths: [String]) -> RemoteFiles? {
        var files = RemoteFiles()
        var done = false
        for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            if line == doneMarker { done = true; continue }
            guard fields.count >= 2, let index = Int(fields[1]), paths.indices.contains(index) else { continue }
            let value = fields.count == 3 ? String(fields[2]) : ""
            switch fields[0] {
            case "scap-remote-file":
                guard let data = Data(base64Encoded: value) else { return nil }
                guard let text = String(data: data, encoding: .utf8) else {
                    files.problems[paths[index]] = "is not UTF-8 text"
                    continue
                }
                files.contents[paths[index]] = text
            case "scap-remote-file-error":
                files.problems[paths[index]] = value
            default:
                continue
            }
        }
        return done ? files : nil
    }
}
