/// A directory of a cookbook tree: its dotted name, title and owner team.
///
/// They come from an optional `_group.yaml` in the directory:
/// ```yaml
/// title: Generic hosts cookbooks
/// owner_team: Infrastructure Foundations
/// ```
/// The owner team applies to every cookbook below that does not name its own (the nearest directory wins).
public struct GroupInfo: Codable, Sendable, Equatable {
    /// The dotted name (`sre.hosts`); empty for the root of the tree.
    public var name: String
    /// The title, if the directory has one.
    public var title: String?
    /// The owner team, if the directory names one.
    public var ownerTeam: String?

    /// Creates a group description.
    public init(name: String, title: String? = nil, ownerTeam: String? = nil) {
        self.name = name
        self.title = title
        self.ownerTeam = ownerTeam
    }
}
