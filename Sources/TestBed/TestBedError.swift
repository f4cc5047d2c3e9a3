/// An error of the test bed: what failed, where, and what to do about it.
///
/// `description` is a message meant for a person (the `testbed` command prints it as is).
public enum TestBedError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A program the bed needs is missing; `hint` says how to install it.
    case toolNotFound(tool: String, hint: String)
    /// Another process already listens on `address:port`.
    case addressInUse(address: String, port: Int)
    /// No free port was found for the bed in the scanned range.
    case noFreePort(range: ClosedRange<Int>)
    /// The sshd of `host` exited while starting; `logTail` is the end of its log.
    case sshdFailed(host: String, logPath: String, logTail: String)
    /// The sshd of `host` did not start listening within `seconds`.
    case startTimeout(host: String, seconds: Double, logPath: String, logTail: String)
    /// A process did not react to a signal within the bounded wait.
    case signalTimeout(host: String, pid: Int32, signal: String, seconds: Double)
    /// `name` is not a host of this bed.
    case unknownHost(name: String, known: [String])
    /// The operation does not apply to `host` (e.g. fault injection on a name served by the shared sshd).
    case unsupported(host: String, reason: String)
    /// No running bed is recorded in `directory`.
    case notRunning(directory: String)
    /// The configuration cannot be used as given.
    case invalidConfiguration(String)
    /// A file-system operation on `path` failed.
    case fileSystem(path: String, reason: String)
    /// A helper command (ssh-keygen, sshd -t, ...) failed.
    case commandFailed(command: String, exitCode: Int32, output: String)
    /// A helper command did not finish within `seconds` and was killed.
    case commandTimeout(command: String, seconds: Double)
    /// The state file of the bed cannot be read.
    case corruptState(path: String, reason: String)

    public var description: String {
        switch self {
        case .toolNotFound(let tool, let hint):
            return "\(tool) not found: \(hint)"
        case .addressInUse(let address, let port):
            return "address \(address):\(port) in use: stop what listens there or choose another port (--port)"
        case .noFreePort(let range):
            return "no free port for the test bed in \(range.lowerBound)...\(range.upperBound): pass an explicit port"
        case .sshdFailed(let host, let logPath, let logTail):
            return "sshd of \(host) exited while starting (log \(logPath)):\n\(logTail)"
        case .startTimeout(let host, let seconds, let logPath, let logTail):
            return "sshd of \(host) did not accept connections within \(seconds) s (log \(logPath)):\n\(logTail)"
        case .signalTimeout(let host, let pid, let signal, let seconds):
            return "sshd of \(host) (pid \(pid)) did not react to \(signal) within \(seconds) s"
        case .unknownHost(let name, let known):
            let shown = known.count > 6 ? known.prefix(3) + ["...", known[known.count - 1]] : known[...]
            return "unknown host '\(name)': the bed has \(shown.joined(separator: ", "))"
        case .unsupported(let host, let reason):
            return "\(host): \(reason)"
        case .notRunning(let directory):
            return "no running test bed in \(directory): run 'testbed start --dir \(directory)' first"
        case .invalidConfiguration(let message):
            return "invalid test bed configuration: \(message)"
        case .fileSystem(let path, let reason):
            return "\(path): \(reason)"
        case .commandFailed(let command, let exitCode, let output):
            return "'\(command)' failed with exit code \(exitCode): \(output)"
        case .commandTimeout(let command, let seconds):
            return "'\(command)' did not finish within \(seconds) s and was killed"
        case .corruptState(let path, let reason):
            return "cannot read test bed state \(path): \(reason); stop leftover sshd processes by hand and delete it"
        }
    }
}
