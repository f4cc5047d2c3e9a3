/// One entry of `service_name`: `svc[=restart|reload][:disable-secondary]`.
public struct ServiceSpec: Sendable, Hashable, CustomStringConvertible {
    /// What the deploy does to the service after promote.
    public enum Action: String, Sendable, Hashable {
        /// `service <name> restart` (the default).
        case restart
        /// `service <name> reload`.
        case reload
    }

    /// The systemd/sysvinit service name.
    public var name: String
    /// Restart or reload.
    public var action: Action
    /// Whether the service is stopped and disabled on hosts that have `secondary_host_signal_file`.
    public var disableSecondary: Bool

    /// Creates a service entry.
    public init(name: String, action: Action = .restart, disableSecondary: Bool = false) {
        self.name = name
        self.action = action
        self.disableSecondary = disableSecondary
    }

    /// Parses one comma-separated entry; `nil` when the name is not a valid ``ServiceName`` or the action or flag
    /// is unknown.
    public init?(parsing text: String) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var disableSecondary = false
        if let colon = rest.firstIndex(of: ":") {
            guard rest[rest.index(after: colon)...] == "disable-secondary" else { return nil }
            disableSecondary = true
            rest = rest[..<colon]
        }
        var action = Action.restart
        if let equals = rest.firstIndex(of: "=") {
            guard let parsed = Action(rawValue: String(rest[rest.index(after: equals)...])) else { return nil }
            action = parsed
            rest = rest[..<equals]
        }
        guard ServiceName.isValid(rest) else { return nil }
        self.init(name: String(rest), action: action, disableSecondary: disableSecondary)
    }

    /// The entry as written in `service_name`.
    public var description: String {
        name + (action == .restart ? "" : "=\(action.rawValue)") + (disableSecondary ? ":disable-secondary" : "")
    }
}
