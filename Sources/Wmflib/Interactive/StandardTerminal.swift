import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's own terminal: prompts go to stdout, answers come from stdin.
public struct StandardTerminal: Terminal {
    /// Creates the terminal.
    public init() {}

    /// Whether stdout is a TTY.
    public var isTTY: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Writes to stdout, unbuffered.
    public func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes the prompt and reads a line from stdin.
    public func readLine(prompt: String) -> String? {
        write(prompt)
        return Swift.readLine(strippingNewline: true)
    }

    /// Writes the prompt and reads a line from stdin with echo turned off (when stdin is a TTY), like `getpass`.
    public func readSecret(prompt: String) -> String? {
        write(prompt)
        var original = termios()
        guard isatty(STDIN_FILENO) == 1, tcgetattr(STDIN_FILENO, &original) == 0 else {
            return Swift.readLine(strippingNewline: true)
        }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
            write("\n")
        }
        return Swift.readLine(strippingNewline: true)
    }
}
