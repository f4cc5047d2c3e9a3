import Foundation

/// What `cookbook -l` and the menu need, written at build time so listing runs no cookbook code.
public struct CookbookIndex: Codable, Sendable, Equatable {
    /// One cookbook of the index.
    public struct Item: Codable, Sendable, Equatable {
        /// The dotted name.
        public var name: String
        /// The title.
        public var title: String
        /// The owner team (the cookbook's own or inherited; `unowned` when nobody claims it).
        public var ownerTeam: String
        /// The dotted name of its directory (empty at the root).
        public var group: String
        /// The source file.
        public var source: String

        /// Creates an item.
        public init(name: String, title: String, ownerTeam: String, group: String, source: String) {
            self.name = name
            self.group = group
            self.title = title
            self.ownerTeam = ownerTeam
            self.source = source
        }
    }

    /// Every cookbook that compiled, by name.
    public var cookbooks: [Item]
    /// Every directory that has a title or owner, by name.
    public var groups: [GroupInfo]
    /// Files left out, with their first error.
    public var problems: [BuildProblem]

    /// Creates an index.
    public init(cookbooks: [Item], groups: [GroupInfo], problems: [BuildProblem]) {
        self.cookbooks = cookbooks.sorted { $0.name < $1.name }
        self.groups = groups.sorted { $0.name < $1.name }
        self.problems = problems
    }

    /// The JSON form.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try encoder.encode(self)
    }

    /// Reads the JSON form.
    public static func decode(_ data: Data) throws -> CookbookIndex {
        try JSONDecoder().decode(CookbookIndex.self, from: data)
    }
}
