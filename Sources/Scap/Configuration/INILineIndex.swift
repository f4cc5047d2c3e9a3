/// The line of each section header and option in INI text, which ``Wmflib/INIConfig`` does not keep.
///
/// Follows the same rules as the parser: comments start with `#` or `;`; an option line is not indented deeper
/// than the previous option (deeper lines continue its value); names are lower-cased.
struct INILineIndex: Sendable {
    private var sectionLines: [String: Int] = [:]
    private var optionLines: [String: [String: Int]] = [:]

    init(text: String) {
        var section: String?
        var indentLevel = 0
        var inOption = false
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let stripped = line.trimmingCharacters(in: .whitespaces)
            if stripped.isEmpty || stripped.hasPrefix("#") || stripped.hasPrefix(";") { continue }
            let indent = line.prefix { $0.isWhitespace }.count
            if inOption, indent > indentLevel { continue }
            indentLevel = indent
            if stripped.hasPrefix("["), let close = stripped.lastIndex(of: "]") {
                let name = String(stripped[stripped.index(after: stripped.startIndex)..<close])
                section = name
                if sectionLines[name] == nil { sectionLines[name] = index + 1 }
                inOption = false
                continue
            }
            guard let section, let delimiter = stripped.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                inOption = false
                continue
            }
            let key = stripped[..<delimiter].trimmingCharacters(in: .whitespaces).lowercased()
            if optionLines[section, default: [:]][key] == nil { optionLines[section, default: [:]][key] = index + 1 }
            inOption = true
        }
    }

    /// The line of `[section]`.
    func line(ofSection section: String) -> Int? { sectionLines[section] }

    /// The line of `key` in `section`.
    func line(ofKey key: String, inSection section: String) -> Int? { optionLines[section]?[key] }
}
