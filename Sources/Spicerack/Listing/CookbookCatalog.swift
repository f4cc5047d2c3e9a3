/// The tree of groups and cookbooks of an index, for `cookbook -l` and the menu.
public struct CookbookCatalog: Sendable {
    /// A directory of the tree.
    public struct Group: Sendable, Equatable {
        /// The dotted name; empty for the root.
        public var name: String
        /// The title from `_group.yaml`, if any.
        public var title: String?
        /// Direct subgroups, by name.
        public var subgroups: [String]
        /// Direct cookbooks, by name.
        public var cookbooks: [String]
    }

    /// Every group that holds at least one cookbook, by name (the root is `""`).
    public let groups: [String: Group]
    /// Every cookbook, by name.
    public let cookbooks: [String: CookbookIndex.Item]

    /// Builds the tree of an index.
    public init(index: CookbookIndex) {
        let titles = Dictionary(index.groups.map { ($0.name, $0.title) }) { first, _ in first }
        var groups: [String: Group] = [:]
        func ensure(_ name: String) {
            if groups[name] != nil { return }
            groups[name] = Group(name: name, title: titles[name] ?? nil, subgroups: [], cookbooks: [])
            if name.isEmpty { return }
            let parent = CookbookCatalog.parent(of: name)
            ensure(parent)
            groups[parent]?.subgroups.append(name)
        }
        var cookbooks: [String: CookbookIndex.Item] = [:]
        for item in index.cookbooks {
            ensure(item.group)
            groups[item.group]?.cookbooks.append(item.name)
            cookbooks[item.name] = item
        }
        ensure("")
        for key in groups.keys {
            groups[key]?.subgroups.sort()
            groups[key]?.cookbooks.sort()
        }
        self.groups = groups
        self.cookbooks = cookbooks
    }

    /// The dotted name of a group's parent.
    static func parent(of name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return "" }
        return String(name[..<dot])
    }

    /// The name of an item relative to a group: `demo.multi.First` in `demo` is `multi.First`.
    public static func leaf(of name: String, in group: String) -> String {
        group.isEmpty ? name : String(name.dropFirst(group.count + 1))
    }

    /// Every cookbook in a group and its subgroups.
    public func cookbooks(under group: String) -> [String] {
        guard let node = groups[group] else { return [] }
        return node.cookbooks + node.subgroups.flatMap { cookbooks(under: $0) }
    }

    /// Spicerack's `-l` tree: full dotted names, owner teams in brackets, titles with `verbose`, filtered by a
    /// string prefix. Empty when the filter matches nothing, as Spicerack.
    public func listing(prefix: String = "", verbose: Bool) -> String {
        var lines = ["cookbooks"]
        func keep(_ group: String) -> Bool {
            cookbooks(under: group).contains { $0.hasPrefix(prefix) }
        }
        func render(_ group: String, indent: String) {
            guard let node = groups[group] else { return }
            var children: [(name: String, isGroup: Bool)] =
                node.subgroups.filter(keep).map { ($0, true) } + node.cookbooks.filter { $0.hasPrefix(prefix) }.map { ($0, false) }
            children.sort { $0.name < $1.name }
            for (offset, child) in children.enumerated() {
                let last = offset == children.count - 1
                var line = indent + (last ? "`-- " : "|-- ") + child.name
                if child.isGroup {
                    if verbose, let title = groups[child.name]?.title { line += ": \(title)" }
                    lines.append(line)
                    render(child.name, indent: indent + (last ? "    " : "|   "))
                } else if let item = cookbooks[child.name] {
                    if verbose { line += ": \(item.title)" }
                    lines.append(line + " [\(item.ownerTeam)]")
                }
            }
        }
        guard keep("") else { return "" }
        render("", indent: "")
        return lines.joined(separator: "\n") + "\n"
    }
}
