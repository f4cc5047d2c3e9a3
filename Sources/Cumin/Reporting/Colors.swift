/// ANSI colours as cumin uses them (`\e[<code>m...\e[39m`), switchable off with `-n` or `NO_COLOR`.
public struct Colors: Sendable, Hashable {
    /// Whether colour codes are emitted.
    public var enabled: Bool

    /// Creates a palette.
    public init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Colours on unless `disabledByFlag` or the `NO_COLOR` environment variable is set (to anything non-empty).
    public static func detect(disabledByFlag: Bool, environment: [String: String]) -> Colors {
        Colors(enabled: !disabledByFlag && (environment["NO_COLOR"] ?? "").isEmpty)
    }

    public func red(_ text: String) -> String { paint(31, text) }
    public func green(_ text: String) -> String { paint(32, text) }
    public func yellow(_ text: String) -> String { paint(33, text) }
    public func blue(_ text: String) -> String { paint(34, text) }
    public func cyan(_ text: String) -> String { paint(36, text) }

    private func paint(_ code: Int, _ text: String) -> String {
        guard enabled, !text.isEmpty else { return text }
        return "\u{1B}[\(code)m\(text)\u{1B}[39m"
    }
}
