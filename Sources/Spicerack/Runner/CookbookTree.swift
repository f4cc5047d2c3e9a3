/// A compiled cookbook tree: what the generated `main.swift` hands to ``CookbookMain``.
public struct CookbookTree: Sendable {
    /// Every cookbook, by name.
    public let entries: [String: CookbookEntry]
    /// Directory titles and owners.
    public let groups: [GroupInfo]
    /// Files left out of the build, and why.
    public let problems: [BuildProblem]

    /// Creates a tree.
    public init(entries: [CookbookEntry], groups: [GroupInfo], problems: [BuildProblem]) {
        var byName: [String: CookbookEntry] = [:]
        for entry in entries { byName[entry.name] = entry }
        self.entries = byName
        self.groups = groups
        self.problems = problems
    }

    /// The owner team of a cookbook: its own, else the nearest directory's, else `unowned`.
    public func ownerTeam(of entry: CookbookEntry) -> String {
        if let own = entry.ownerTeam { return own }
        return inheritedOwner(of: entry.name) ?? "unowned"
    }

    /// The nearest ancestor directory's owner team.
    func inheritedOwner(of name: String) -> String? {
        let owners = Dictionary(groups.compactMap { group in group.ownerTeam.map { (group.name, $0) } }) { first, _ in first }
        var parts = (entries[name]?.group ?? "").split(separator: ".").map(String.init)
        while true {
            if let owner = owners[parts.joined(separator: ".")] { return owner }
            if parts.isEmpty { return nil }
            parts.removeLast()
        }
    }

    /// The index `cookbook -l` and the menu read.
    public var index: CookbookIndex {
        CookbookIndex(
            cookbooks: entries.values.map { entry in
                CookbookIndex.Item(name: entry.name, title: entry.title, ownerTeam: ownerTeam(of: entry), group: entry.group,
                    source: entry.source)
            },
            groups: groups, problems: problems)
    }
}
