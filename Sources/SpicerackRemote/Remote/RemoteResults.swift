import Cumin
import Foundation
import NodeSet

/// What a run on ``RemoteHosts`` produced: per command the groups of hosts with identical output, and per host
/// the exit code, standard output and standard error of each command.
///
/// Iterating yields the ``RemoteOutputGroup``s of every command in order, as Spicerack iterates
/// `(NodeSet, output)` pairs. In dry-run mode a command that was not executed has no results at all.
/// ```swift
/// let results = try await hosts.runSync("cat /etc/debian_version", isSafe: true)
/// for (hosts, version) in results.parsed({ $0 }) { print(hosts, version) }
/// ```
public struct RemoteResults: Sendable, Sequence {
    /// The commands of the run, as sent.
    public let commands: [Command]
    /// Cumin's results; `nil` when the commands were not executed (dry-run).
    public let execution: ExecutionResults?
    /// The output groups of every command, command by command, each in cumin's display order.
    public let groups: [RemoteOutputGroup]

    /// Wraps cumin's results.
    init(commands: [Command], execution: ExecutionResults?) {
        self.commands = commands
        self.execution = execution
        var groups: [RemoteOutputGroup] = []
        if let execution {
            for index in commands.indices {
                for group in execution.outputGroups(command: index) {
                    groups.append(
                        RemoteOutputGroup(
                            commandIndex: index, command: commands[index], hosts: group.hosts, output: group.text))
                }
            }
        }
        self.groups = groups
    }

    /// Whether the commands were actually executed (`false` for unsafe commands in dry-run mode).
    public var wasExecuted: Bool { execution != nil }

    /// Whether there is no output group at all.
    public var isEmpty: Bool { groups.isEmpty }

    /// Every targeted host with its state and per-command results (exit code, stdout and stderr apart).
    public var hosts: [HostResult] { execution?.hosts ?? [] }

    /// The result of one host, by name.
    public func host(_ name: String) -> HostResult? {
        execution?.host(name)
    }

    /// The output groups of command `index` (0-based).
    public func groups(command index: Int) -> [RemoteOutputGroup] {
        groups.filter { $0.commandIndex == index }
    }

    /// The output groups with their output turned into a value (Spicerack's `results_to_list`).
    /// - Parameters:
    ///   - command: only the groups of this command (0-based); all commands when `nil`.
    ///   - transform: parses one output, without its leading and trailing white space; it is called once per
    ///     group, and the error it throws stops the parsing.
    /// - Returns: the hosts and parsed value of every group, in order.
    public func parsed<Value, Failure: Error>(
        command: Int? = nil, _ transform: (String) throws(Failure) -> Value
    ) throws(Failure) -> [(hosts: NodeSet, value: Value)] {
        var values: [(hosts: NodeSet, value: Value)] = []
        for group in groups where command == nil || group.commandIndex == command {
            values.append((group.hosts, try transform(group.output.trimmingCharacters(in: .whitespacesAndNewlines))))
        }
        return values
    }

    /// The output groups of every command.
    public func makeIterator() -> IndexingIterator<[RemoteOutputGroup]> {
        groups.makeIterator()
    }
}
