import Cumin
import NodeSet

/// Hosts whose output for one command was exactly the same.
public struct RemoteOutputGroup: Sendable, Hashable {
    /// The position of the command in the run (0-based).
    public var commandIndex: Int
    /// The command, as sent (with `sudo -i ` when the hosts use sudo).
    public var command: Command
    /// The hosts that produced ``output``.
    public var hosts: NodeSet
    /// Standard output and standard error interleaved as cumin shows them, lines joined with `\n`, without the
    /// final newline.
    public var output: String

    /// Creates a group.
    public init(commandIndex: Int, command: Command, hosts: NodeSet, output: String) {
        self.commandIndex = commandIndex
        self.command = command
        self.hosts = hosts
        self.output = output
    }
}
