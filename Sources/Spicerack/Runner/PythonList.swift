import Foundation

/// Python's list repr, which Spicerack shows in messages and menu headers: `['--name', 'Bob']`.
func pythonList(_ items: [String]) -> String {
    "[" + items.map { "'" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
        .joined(separator: ", ") + "]"
}
