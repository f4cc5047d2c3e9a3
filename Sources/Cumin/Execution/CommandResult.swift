/// What one command did on one host.
public struct CommandResult: Sendable, Hashable {
    /// The position of the command in the run's command list (0-based).
    public var commandIndex: Int
    /// The command's exit code; `nil` when it never finished (timeout, interruption) or could not start.
    public var exitCode: Int32?
    /// Everything the command wrote on standard output.
    public var stdout: [UInt8]
    /// Everything the command (and the SSH client) wrote on standard error.
    public var stderr: [UInt8]
    /// Standard output and standard error interleaved in arrival order, as cumin shows them.
    public var combined: [UInt8]
    /// Wall-clock time from start to end on this host.
    public var duration: Duration
    /// The host's state after this command: ``HostState/success``, ``HostState/failed`` or ``HostState/timeout``.
    public var state: HostState
    /// Why the command did not produce an exit code, when it did not (e.g. `interrupted`, a spawn error).
    public var problem: String?

    /// Creates a result.
    public init(
        commandIndex: Int, exitCode: Int32?, stdout: [UInt8] = [], stderr: [UInt8] = [], combined: [UInt8] = [],
        duration: Duration = .zero, state: HostState, problem: String? = nil
    ) {
        self.commandIndex = commandIndex
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.combined = combined
        self.duration = duration
        self.state = state
        self.problem = problem
    }

    /// Standard output decoded as UTF-8 (invalid bytes replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error decoded as UTF-8 (invalid bytes replaced).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// The interleaved output decoded as UTF-8, without its final newline.
    public var outputText: String {
        var bytes = combined[...]
        if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
