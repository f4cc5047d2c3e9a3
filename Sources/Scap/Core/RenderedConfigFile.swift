import Foundation

/// A `config-files.yaml` entry rendered on the deploy host, ready to be shipped to the targets.
public struct RenderedConfigFile: Sendable, Hashable {
    /// The final path, normalized: absolute, or relative to the revision directory.
    public var path: String
    /// The template it was rendered from (its name under `templates/`).
    public var template: String
    /// The rendered text.
    public var content: String

    /// Creates a rendered file.
    public init(path: String, template: String, content: String) {
        self.path = path
        self.template = template
        self.content = content
    }

    /// Whether the final path is absolute (rendered under `.git/config-files`, symlinked into place at promote).
    public var isAbsolute: Bool { path.hasPrefix("/") }

    /// The content as base64, how the stage scripts carry it (any byte survives the shell).
    public var base64: String { Data(content.utf8).base64EncodedString() }

    /// Where the file is written, relative to the revision directory: `.git/config-files/<path>` for an absolute
    /// path, the path itself for a relative one.
    public var revisionRelativePath: String { isAbsolute ? ".git/config-files" + path : path }

    /// `path` without empty and `.` components, or `nil` when it is empty, `/`, climbs with `..`, starts inside
    /// the revision's `.git` (a relative path) or holds a control character.
    public static func normalizedPath(_ path: String) -> String? {
        guard !path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return nil }
        let components = path.split(separator: "/").filter { $0 != "." }
        guard !components.isEmpty, !components.contains("..") else { return nil }
        if path.hasPrefix("/") { return "/" + components.joined(separator: "/") }
        guard components[0] != ".git" else { return nil }
        return components.joined(separator: "/")
    }
}
