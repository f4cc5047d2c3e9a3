import Foundation

/// Finds the cookbook types a file declares, without compiling it: every `struct`, `class`, `enum` or `actor` whose
/// inheritance clause names `SimpleCookbook` or `Cookbook`, and `extension T: Cookbook` declarations.
enum CookbookTypeScanner {
    /// A cookbook type and the line it is declared on.
    struct Declaration: Equatable {
        var typeName: String
        var line: Int
        /// Whether it adopts `Cookbook` (the runner API) rather than `SimpleCookbook`.
        var isRunner: Bool
    }

    static func declarations(in source: String) -> [Declaration] {
        var found: [Declaration] = []
        var inBlockComment = false
        var lineNumber = 0
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if inBlockComment {
                guard let end = line.range(of: "*/") else { continue }
                line = line[end.upperBound...]
                inBlockComment = false
            }
            if let start = line.range(of: "/*"), line.range(of: "*/") == nil {
                inBlockComment = true
                line = line[..<start.lowerBound]
            }
            if let comment = line.range(of: "//") { line = line[..<comment.lowerBound] }
            guard let (name, isRunner) = declaration(in: line) else { continue }
            if !found.contains(where: { $0.typeName == name }) {
                found.append(Declaration(typeName: name, line: lineNumber, isRunner: isRunner))
            }
        }
        return found
    }

    private static let modifiers: Set<Substring> = [
        "public", "internal", "fileprivate", "private", "package", "final", "open", "nonisolated",
    ]
    private static let kinds: Set<Substring> = ["struct", "class", "enum", "actor", "extension"]

    /// The type name, and whether it is a runner cookbook, if the line declares a cookbook type.
    private static func declaration(in line: Substring) -> (String, Bool)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let head = line[..<colon].split(whereSeparator: { $0 == " " || $0 == "\t" })
        var index = 0
        while index < head.count, modifiers.contains(head[index]) || head[index].hasPrefix("@") { index += 1 }
        guard index + 2 == head.count, kinds.contains(head[index]) else { return nil }
        var name = head[index + 1]
        if let generic = name.firstIndex(of: "<") { name = name[..<generic] }
        guard let first = name.first, first.isLetter || first == "_", name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
        else { return nil }
        var clause = line[line.index(after: colon)...]
        if let brace = clause.firstIndex(of: "{") { clause = clause[..<brace] }
        if let whereClause = clause.range(of: " where ") { clause = clause[..<whereClause.lowerBound] }
        let conformances = clause.split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).split(separator: ".").last.map(String.init) ?? ""
        }
        if conformances.contains("SimpleCookbook") { return (String(name), false) }
        if conformances.contains("Cookbook") { return (String(name), true) }
        return nil
    }
}
