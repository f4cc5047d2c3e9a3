import Cumin

/// POSIX shell quoting for the values the target scripts embed.
public enum ShellQuote {
    /// `value` as one single-quoted shell word: every `'` becomes `'\''`, so nothing inside is expanded.
    ///
    /// ```swift
    /// ShellQuote.quote("it's") // 'it'\''s'
    /// ```
    public static func quote(_ value: String) -> String {
        shellSingleQuoted(value)
    }
}
