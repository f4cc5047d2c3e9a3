import Foundation
import NodeSet

/// The hosts of one dsh target-list file, in file order without repeats.
///
/// Each line's host is the leading `[\w.-]+` match, so comments (`#`), blank lines and trailing words are
/// ignored as scap does. A leading token with `[` is a NodeSet expression (`mw[1001-1003].eqiad.wmnet`) and
/// contributes all its hosts.
public struct TargetList: Sendable, Equatable {
    /// The file the hosts were read from.
    public var path: String
    /// The hosts, in file order.
    public var hosts: [String]

    /// Parses the text of a target list.
    /// - Throws: ``ScapConfigError`` with the line of a NodeSet expression that does not parse.
    public init(parsing text: String, path: String) throws(ScapConfigError) {
        self.path = path
        var hosts: [String] = []
        var seen: Set<String> = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let token = line.trimmingCharacters(in: .whitespaces).prefix { !$0.isWhitespace && $0 != "#" }
            let plain = token.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }
            var found: [String]
            if token.contains("[") {
                do {
                    found = try NodeSet(String(token)).nodes
                } catch {
                    throw ScapConfigError(
                        path: path, line: index + 1,
                        message: "'\(token)' is not a host or a NodeSet range such as host[1-3]: \(error.message)")
                }
            } else {
                found = plain.isEmpty ? [] : [String(plain)]
            }
            for host in found where seen.insert(host).inserted { hosts.append(host) }
        }
        self.hosts = hosts
    }

    /// Finds and reads the target list `name`.
    ///
    /// An absolute path is used as is; a relative name is looked for in each of `searchDirectories` in order.
    /// - Throws: ``ScapConfigError`` when no file is found or it cannot be read or parsed.
    public init(named name: String, searchDirectories: [String], key: String) throws(ScapConfigError) {
        let candidates =
            name.hasPrefix("/") ? [name] : searchDirectories.map { ($0 as NSString).appendingPathComponent(name) }
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw ScapConfigError(
                path: candidates.first ?? name, key: key,
                message: "target list '\(name)' not found; looked in: \(candidates.joined(separator: ", "))")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw ScapConfigError(path: path, key: key, message: "target list cannot be read as UTF-8 text")
        }
        try self.init(parsing: text, path: path)
    }
}
