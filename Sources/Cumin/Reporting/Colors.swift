/// ANSI colours as cumin uses them (`\e[<code>m...\e[39m`), switchable off with `-n` or `NO_COLOR`.
public struct Colors: Sendable, Hashable {
    /// Whether colour codes are emitted.
    public var enabled: Bool

    /// Creates a palette.
    public init(enabled: Bool) {
        self.enabled = enabled
    }

    /// When colours are wanted (`--color`).
    public enum Choice: String, Sendable, Hashable, CaseIterable {
        /// Only on a terminal, and not when `NO_COLOR` is set (the default).
        case auto
        /// Always, even into a pipe or a file.
        case always
        /// Never (also `-n/--no-colors`).
        case never
    }

    /// Colours for `choice`: `auto` gives colours only when the output is a terminal and the `NO_COLOR`
    /// environment variable is unset or empty; `disabledByFlag` (`-n`) wins over everything.
    public static func detect(
        disabledByFlag: Bool, environment: [String: String], isTerminal: Bool, choice: Choice = .auto
    ) -> Colors {
        if disabledByFlag { return Colors(enabled: false) }
        switch choice {
        case .always: return Colors(enabled: true)
        case .never: return Colors(enabled: false)
        case .auto: return Colors(enabled: isTerminal && (environment["NO_COLOR"] ?? "").isEmpty)
        }
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
