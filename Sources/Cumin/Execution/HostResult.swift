/// Everything that happened on one host during a run.
public struct HostResult: Sendable, Hashable {
    /// The host name, as used to connect.
    public var name: String
    /// The final state of the host.
    public var state: HostState
    /// One result per command the host started, in order.
    public var results: [CommandResult]

    /// Creates a host result.
    public init(name: String, state: HostState, results: [CommandResult]) {
        self.name = name
        self.state = state
        self.results = results
    }

    /// The index of the last command the host started, `-1` if none.
    public var lastExecutedCommandIndex: Int { results.last?.commandIndex ?? -1 }
    /// The exit codes of the commands that finished.
    public var exitCodes: [Int32] { results.compactMap(\.exitCode) }
}
