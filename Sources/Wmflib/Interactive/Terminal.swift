/// Where interactive prompts write and read: the seam between ``Interactive`` and the real terminal.
///
/// ``StandardTerminal`` talks to the process's stdin and stdout; ``ScriptedTerminal`` replays answers and keeps the
/// output in memory for tests.
public protocol Terminal: Sendable {
    /// Whether the output is a terminal a person is looking at (wmflib checks `sys.stdout.isatty()`).
    var isTTY: Bool { get }
    /// Writes text as is, without adding a newline.
    func write(_ text: String)
    /// Writes the prompt and reads one line of input, without its newline; `nil` at end of input.
    func readLine(prompt: String) -> String?
    /// Writes the prompt and reads one line without echoing it; `nil` at end of input.
    func readSecret(prompt: String) -> String?
}
