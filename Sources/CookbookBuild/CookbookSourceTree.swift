import Foundation
import Spicerack
import Wmflib

/// The files of one or more cookbook trees, merged into one namespace.
///
/// - `*.swift` files are cookbooks: `sre/hosts/reboot-single.swift` is `sre.hosts.reboot-single`.
/// - `_*.swift` files are helpers shared by the whole tree (compiled in, never listed).
/// - `_group.yaml` gives its directory a `title` and an `owner_team`.
/// - Hidden files and directories are ignored.
public struct CookbookSourceTree: Sendable {
    /// A Swift file of a tree.
    public struct SourceFile: Sendable, Equatable {
        /// The absolute path.
        public var path: String
        /// The path relative to its tree, with `/`.
        public var relativePath: String
        /// Which tree (index into the base directories).
        public var treeIndex: Int
        /// The contents.
        public var contents: String
        /// Whether it is a helper (`_` prefix).
        public var isHelper: Bool

        /// The dotted name of the file: `sre/hosts/reboot-single.swift` → `sre.hosts.reboot-single`.
        public var dottedName: String {
            String(relativePath.dropLast(".swift".count)).replacingOccurrences(of: "/", with: ".")
        }

        /// The dotted name of its directory.
        public var group: String {
            let parts = relativePath.split(separator: "/").dropLast()
            return parts.joined(separator: ".")
        }
    }

    /// The trees, in configuration order.
    public let baseDirectories: [String]
    /// Every Swift file, by relative path (the first tree wins on a clash).
    public let files: [SourceFile]
    /// Directory titles and owners.
    public let groups: [GroupInfo]
    /// Problems found while reading (clashes, unreadable files, bad `_group.yaml`).
    public let problems: [BuildProblem]
    /// The hash of everything that shapes the build.
    public let contentHash: String

    /// Reads the trees.
    public init(baseDirectories: [String]) {
        self.baseDirectories = baseDirectories
        var files: [SourceFile] = []
        var groups: [String: GroupInfo] = [:]
        var problems: [BuildProblem] = []
        var seen: [String: String] = [:]
        var hasher = SourceHasher()
        let manager = FileManager.default
        for (treeIndex, base) in baseDirectories.enumerated() {
            hasher.combine("tree:\(base)")
            guard let enumerator = manager.enumerator(atPath: base) else { continue }
            var relativePaths: [String] = []
            while let relative = enumerator.nextObject() as? String {
                let last = (relative as NSString).lastPathComponent
                if last.hasPrefix(".") {
                    enumerator.skipDescendants()
                    continue
                }
                if relative.hasSuffix(".swift") || last == "_group.yaml" { relativePaths.append(relative) }
            }
            for relative in relativePaths.sorted() {
                let path = (base as NSString).appendingPathComponent(relative)
                guard let data = manager.contents(atPath: path) else {
                    problems.append(BuildProblem(file: path, message: "cannot read the file"))
                    continue
                }
                hasher.combine(relative)
                hasher.combine(data)
                hasher.combine(CollectionOfOne(0))
                let contents = String(decoding: data, as: UTF8.self)
                let last = (relative as NSString).lastPathComponent
                if last == "_group.yaml" {
                    let directory = (relative as NSString).deletingLastPathComponent
                    let name = directory.replacingOccurrences(of: "/", with: ".")
                    do {
                        let values = try loadYAMLConfig(path)
                        var info = groups[name] ?? GroupInfo(name: name)
                        info.title = info.title ?? values["title"]?.stringValue
                        info.ownerTeam = info.ownerTeam ?? values["owner_team"]?.stringValue
                        groups[name] = info
                    } catch {
                        problems.append(BuildProblem(file: path, message: error.message))
                    }
                    continue
                }
                if let first = seen[relative] {
                    problems.append(
                        BuildProblem(
                            file: path, line: 1, column: 1,
                            message: "\(relative) is also in \(first); the first tree in cookbooks_base_dirs wins"))
                    continue
                }
                seen[relative] = path
                files.append(
                    SourceFile(
                        path: path, relativePath: relative, treeIndex: treeIndex, contents: contents,
                        isHelper: last.hasPrefix("_")))
            }
        }
        self.files = files
        self.groups = groups.values.sorted { $0.name < $1.name }
        self.problems = problems
        self.contentHash = hasher.hex
    }
}
