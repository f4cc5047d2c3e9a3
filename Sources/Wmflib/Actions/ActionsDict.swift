import Logging

/// The actions of many hosts, created on first use and kept in insertion order, printable as Phabricator markup
/// (wmflib's `actions.ActionsDict`).
///
/// ```swift
/// var actions = ActionsDict()
/// actions["host1001"].success("Downtimed on Icinga")
/// actions["host1001"].failure("**Failed to restart ntp**")
/// actions["host2001"].warning("//Host with alerts on Icinga//")
/// print(actions)
/// // - host1001 (**FAIL**)
/// //   - Downtimed on Icinga
/// //   - **Failed to restart ntp**
/// //
/// // - host2001 (**WARN**)
/// //   - //Host with alerts on Icinga//
/// //
/// ```
public struct ActionsDict: Sendable, CustomStringConvertible {
    /// The names in the order they were first used.
    public private(set) var names: [String] = []
    private var storage: [String: Actions] = [:]
    /// The logger given to each new ``Actions``.
    public var logger: Logger

    /// Creates an empty collection.
    /// - Parameter logger: where the actions of every host are logged.
    public init(logger: Logger = Logger(label: "wmflib.actions")) {
        self.logger = logger
    }

    /// The actions of `name`; an empty ``Actions`` when none were recorded yet, stored on first mutation.
    public subscript(name: String) -> Actions {
        get { storage[name] ?? Actions(name, logger: logger) }
        set {
            if storage[name] == nil { names.append(name) }
            storage[name] = newValue
        }
    }

    /// The actions of every name, in insertion order.
    public var values: [Actions] { names.compactMap { storage[$0] } }

    /// Whether no actions were recorded for any name.
    public var isEmpty: Bool { names.isEmpty }

    /// Each entry as `- <actions>` followed by a blank line; empty when there are no entries.
    public var description: String {
        values.map { "- \($0)\n" }.joined(separator: "\n")
    }
}
