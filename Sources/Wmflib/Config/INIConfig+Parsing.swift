import Foundation

import Logging

/// Loads an INI configuration file (wmflib's `load_ini_config`, Python's `configparser` rules).
///
/// Sections are `[name]`; options are `key = value` or `key: value` (split at the first `=` or `:`); whole-line
/// comments start with `#` or `;`; a line indented deeper than its option continues the value (joined with `\n`);
/// blank lines inside a value are kept, trailing ones dropped.
/// - Parameters:
///   - path: the file to read.
///   - raises: when `false`, any problem is logged at debug level and an empty configuration returned instead.
///   - logger: where to log problems when `raises` is `false`.
/// - Returns: the parsed configuration.
/// - Throws: ``WmflibError`` naming the file and line when the file is missing or unreadable, has options before any
///   section, repeats a section or an option, or has a line that is not a section, option or comment.
public func loadINIConfig(
    _ path: String, raises: Bool = true, logger: Logger = Logger(label: "wmflib.config")
) throws(WmflibError) -> INIConfig {
    do {
        return try INIConfig(parsing: try readConfigText(path), path: path)
    } catch {
        if raises { throw error }
        logger.debug("Could not load config file \(path): \(error.message)")
        return INIConfig()
    }
}

extension INIConfig {
    private enum Target: Equatable {
        case defaults
        case section(String)
    }

    /// Parses INI text with `configparser`'s default (strict, no inline comments) rules.
    /// - Parameters:
    ///   - text: the file contents.
    ///   - path: the file name used in error messages.
    /// - Throws: ``WmflibError`` naming `path` and the line of the first structural error, or of every unparsable line.
    public init(parsing text: String, path: String = "<string>") throws(WmflibError) {
        self.init()
        var target: Target?
        var option: String?
        var pending: [String] = []
        var indentLevel = 0
        var seen: Set<String> = []
        var invalidLines: [String] = []

        func store() {
            guard let target, let option else { return }
            var lines = pending
            while lines.last?.isEmpty == true { lines.removeLast() }
            let value = lines.joined(separator: "\n")
            switch target {
            case .defaults: defaults[option] = value
            case .section(let name): ownOptions[name, default: [:]][option] = value
            }
        }

        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            let line = String(rawLine)
            let stripped = line.trimmingCharacters(in: .whitespaces)
            let isComment = stripped.hasPrefix("#") || stripped.hasPrefix(";")
            if stripped.isEmpty || isComment {
                if !isComment && target != nil && option != nil {
                    pending.append("")
                }
                continue
            }
            let indent = line.prefix { $0.isWhitespace }.count
            if target != nil, option != nil, indent > indentLevel {
                pending.append(stripped)
                continue
            }
            indentLevel = indent
            if stripped.hasPrefix("["), let close = stripped.lastIndex(of: "]"),
                stripped.index(after: stripped.startIndex) < close
            {
                store()
                option = nil
                pending = []
                let name = String(stripped[stripped.index(after: stripped.startIndex)..<close])
                if name == "DEFAULT" {
                    target = .defaults
                    continue
                }
                if seen.contains("[\(name)]") {
                    throw WmflibError("\(path):\(lineNumber): section '\(name)' already exists")
                }
                seen.insert("[\(name)]")
                if ownOptions[name] == nil {
                    ownOptions[name] = [:]
                    sectionNames.append(name)
                }
                target = .section(name)
                continue
            }
            guard let currentTarget = target else {
                throw WmflibError("\(path):\(lineNumber): File contains no section headers: '\(line)'")
            }
            store()
            pending = []
            guard let delimiter = stripped.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                option = nil
                invalidLines.append("\(path):\(lineNumber): cannot parse '\(line)': expected '[section]', 'key = value' or 'key: value'")
                continue
            }
            let name = stripped[..<delimiter].trimmingCharacters(in: .whitespaces).lowercased()
            guard !name.isEmpty else {
                option = nil
                invalidLines.append("\(path):\(lineNumber): cannot parse '\(line)': the option name is empty")
                continue
            }
            let sectionName: String
            switch currentTarget {
            case .defaults: sectionName = "DEFAULT"
            case .section(let section): sectionName = section
            }
            if seen.contains("\(sectionName)\u{0}\(name)") {
                throw WmflibError(
                    "\(path):\(lineNumber): option '\(name)' in section '\(sectionName)' already exists")
            }
            seen.insert("\(sectionName)\u{0}\(name)")
            option = name
            pending = [stripped[stripped.index(after: delimiter)...].trimmingCharacters(in: .whitespaces)]
        }
        store()
        if !invalidLines.isEmpty {
            throw WmflibError("Source contains parsing errors:\n" + invalidLines.joined(separator: "\n"))
        }
    }
}
