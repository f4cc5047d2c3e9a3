import NodeSet

/// A remote execution that did not succeed on every host (Spicerack's `RemoteExecutionError`).
///
/// Its message is Spicerack's, `Cumin execution failed (exit_code=2)`; ``results`` holds what every host did, so a
/// caller can still look at the outputs of the hosts that succeeded.
public struct RemoteExecutionError: Error, Sendable, CustomStringConvertible {
    /// Cumin's exit code: 1 when some hosts failed but the success threshold was met, 2 when it was not met or the
    /// run timed out.
    public var exitCode: Int32
    /// The outputs and per-host results of the run.
    public var results: RemoteResults

    /// Creates an error.
    public init(exitCode: Int32, results: RemoteResults) {
        self.exitCode = exitCode
        self.results = results
    }

    /// `Cumin execution failed (exit_code=N)`.
    public var message: String { "Cumin execution failed (exit_code=\(exitCode))" }

    /// The hosts that failed or timed out.
    public var failedHosts: NodeSet {
        NodeSet(nodes: results.hosts.lazy.filter { $0.state == .failed || $0.state == .timeout }.map(\.name))
    }

    /// The message.
    public var description: String { message }
}
