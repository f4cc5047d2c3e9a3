/// A command to run on every targeted host, with its own timeout and accepted exit codes.
///
/// ```swift
/// let command = Command("systemctl is-active nginx", timeout: .seconds(10))
/// ```
public struct Command: Sendable, Hashable, CustomStringConvertible {
    /// The shell command line, run by the remote user's shell.
    public var command: String
    /// How long the command may run on one host before the host is marked ``HostState/timeout``.
    public var timeout: Duration?
    /// Exit codes that count as success; empty means every exit code succeeds (cumin's `-x`).
    public var okCodes: Set<Int32>

    /// Creates a command.
    /// - Parameters:
    ///   - command: the shell command line.
    ///   - timeout: per-host timeout, `nil` for none.
    ///   - okCodes: exit codes that count as success (default `[0]`; empty accepts all).
    public init(_ command: String, timeout: Duration? = nil, okCodes: Set<Int32> = [0]) {
        self.command = command
        self.timeout = timeout
        self.okCodes = okCodes
    }

    /// Whether `exitCode` counts as a success for this command.
    public func isSuccess(exitCode: Int32) -> Bool {
        okCodes.isEmpty || okCodes.contains(exitCode)
    }

    /// The command elided in the middle to at most `maxLength` characters, as cumin prints it in reports.
    ///
    /// `Command("long-command --with --many --options and arguments").shortened()` is
    /// `"long-command --w...ns and arguments"`.
    public func shortened(to maxLength: Int = 35) -> String {
        let characters = Array(command)
        guard characters.count > maxLength, maxLength >= 5 else { return command }
        let half = maxLength / 2
        let prefixLength = half - 1
        let suffixLength = half * 2 == maxLength ? half - 2 : half - 1
        return String(characters[..<prefixLength]) + "..." + String(characters[(characters.count - suffixLength)...])
    }

    /// The command line.
    public var description: String { command }
}
