/// The sections and options of an INI file, as Python's `configparser` reads them (without interpolation).
///
/// Option names are lower-cased; values of the `[DEFAULT]` section are visible from every section.
/// ```swift
/// let config = try loadINIConfig("/etc/phabricator.ini")
/// let token = config["phabricator_bot", "token"]
/// ```
public struct INIConfig: Sendable, Equatable {
    /// The options of the `[DEFAULT]` section.
    public internal(set) var defaults: [String: String] = [:]
    /// The section names in file order, without `DEFAULT`.
    public internal(set) var sectionNames: [String] = []
    /// The options set in each section itself, without the defaults.
    public internal(set) var ownOptions: [String: [String: String]] = [:]

    /// Creates an empty configuration.
    public init() {}

    /// Whether the file has a section with this name (`DEFAULT` is not a section).
    public func hasSection(_ name: String) -> Bool {
        ownOptions[name] != nil
    }

    /// The options of a section merged over the defaults, or `nil` when there is no such section.
    public func section(_ name: String) -> [String: String]? {
        guard let own = ownOptions[name] else { return nil }
        return defaults.merging(own) { _, sectionValue in sectionValue }
    }

    /// The value of an option in a section, falling back to `[DEFAULT]`; the option name is matched lower-cased.
    public subscript(section: String, option: String) -> String? {
        guard let own = ownOptions[section] else { return nil }
        let key = option.lowercased()
        return own[key] ?? defaults[key]
    }
}
