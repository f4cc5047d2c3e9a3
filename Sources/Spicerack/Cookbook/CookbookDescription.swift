/// What every cookbook says about itself: the title shown by `cookbook -l -v` and the menu, and its owner team.
///
/// Both are static, so listing a tree never runs cookbook code: `cookbook` reads them once, at build time, into the
/// tree's index.
public protocol CookbookDescription: SendableMetatype {
    /// A one-line title (Spicerack: the first line of the docstring or `__title__`).
    static var title: String { get }
    /// The team that owns the cookbook; `nil` inherits the nearest directory's `owner_team` (see ``GroupInfo``).
    static var ownerTeam: String? { get }
}

extension CookbookDescription {
    /// No owner of its own: the directory's owner applies.
    public static var ownerTeam: String? { nil }
}
