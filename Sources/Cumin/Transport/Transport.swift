/// Runs one command on one host. The execution engine calls it concurrently for many hosts.
///
/// Implementations never throw: every failure (unreachable host, spawn error, timeout, cancellation) is
/// described in the returned ``TransportResult``. Cancelling the calling task must stop the command.
public protocol Transport: Sendable {
    /// The most commands this transport should have in flight at once (ClusterShell's fanout).
    var fanout: Int { get }

    /// Runs `command` on `host`.
    /// - Parameters:
    ///   - command: the command, with its timeout.
    ///   - host: the host name.
    ///   - output: called with each chunk of output as it arrives (for live display); may be `nil`.
    func run(_ command: Command, on host: String, output: OutputHandler?) async -> TransportResult

    /// Releases what the transport kept open for `hosts` (e.g. SSH master connections) at the end of a run.
    func shutdown(hosts: [String]) async

    /// One-line notes for the operator after a run, e.g. which hosts went through another transport and why.
    func notes() -> [String]
}

extension Transport {
    /// Nothing to release by default.
    public func shutdown(hosts: [String]) async {}

    /// No notes by default.
    public func notes() -> [String] { [] }
}

/// Which stream a chunk of output came from.
public enum OutputStream: Sendable, Hashable {
    /// Standard output.
    case stdout
    /// Standard error.
    case stderr
}

/// Receives output chunks as a command produces them.
public typealias OutputHandler = @Sendable (_ chunk: [UInt8], _ stream: OutputStream) -> Void

/// What a transport observed while running one command on one host.
public struct TransportResult: Sendable {
    /// The exit code, when the command finished on its own.
    public var exitCode: Int32?
    /// Standard output.
    public var stdout: [UInt8] = []
    /// Standard error.
    public var stderr: [UInt8] = []
    /// Both streams interleaved in arrival order.
    public var combined: [UInt8] = []
    /// The command ran past its timeout and was killed.
    public var timedOut = false
    /// The calling task was cancelled (Ctrl-C, global timeout) and the command was killed.
    public var cancelled = false
    /// Why there is no exit code, when the transport knows (e.g. the client could not be started).
    public var problem: String?
    /// The time the command took.
    public var duration: Duration = .zero

    /// Creates a result.
    public init(
        exitCode: Int32? = nil, stdout: [UInt8] = [], stderr: [UInt8] = [], combined: [UInt8] = [],
        timedOut: Bool = false, cancelled: Bool = false, problem: String? = nil, duration: Duration = .zero
    ) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.combined = combined
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.problem = problem
        self.duration = duration
    }
}
