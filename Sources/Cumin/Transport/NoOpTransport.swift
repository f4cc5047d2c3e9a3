/// A transport that runs nothing and reports success at once: measures the engine's own cost and
/// lets code paths run without hosts (`--transport noop`).
public struct NoOpTransport: Transport {
    /// The fanout reported to the engine.
    public var fanout: Int
    /// The exit code every command "returns".
    public var exitCode: Int32

    /// Creates a no-op transport.
    public init(fanout: Int = 64, exitCode: Int32 = 0) {
        self.fanout = fanout
        self.exitCode = exitCode
    }

    /// Returns ``exitCode`` immediately, with no output.
    public func run(_ command: Command, on host: String, output: OutputHandler?) async -> TransportResult {
        if Task.isCancelled { return TransportResult(cancelled: true, problem: "interrupted") }
        return TransportResult(exitCode: exitCode)
    }
}
