/// Follows a run as it progresses; the CLI's reporter and progress bars implement it.
///
/// Every method has an empty default, so an observer implements only what it needs. Methods are called from
/// the engine's task in order, except ``liveOutput(_:from:)``, which is called from the transport as output arrives.
public protocol ExecutionObserver: Sendable {
    /// A command starts on a new set of hosts (sync mode), or the whole run starts (async mode, `command` nil).
    func executionWillStart(command index: Int?, hostCount: Int)
    /// With a single target host: command `index` starts on it (cumin prints a header and streams output).
    func singleHostCommandWillStart(_ index: Int, _ command: Command)
    /// A chunk of output from the single target host.
    func liveOutput(_ chunk: [UInt8], from stream: OutputStream)
    /// A host finished a command (sync) or its command list (async) in `state`.
    func hostDidComplete(_ host: String, state: HostState)
    /// Sync mode: command `index` finished on every host it was going to run on.
    func commandDidComplete(_ index: Int, results: ExecutionResults)
    /// The global timeout expired; `results` says which hosts were running and which never started.
    func globalTimeoutDidExpire(results: ExecutionResults)
    /// The run is over.
    func executionDidComplete(results: ExecutionResults)
}

extension ExecutionObserver {
    public func executionWillStart(command index: Int?, hostCount: Int) {}
    public func singleHostCommandWillStart(_ index: Int, _ command: Command) {}
    public func liveOutput(_ chunk: [UInt8], from stream: OutputStream) {}
    public func hostDidComplete(_ host: String, state: HostState) {}
    public func commandDidComplete(_ index: Int, results: ExecutionResults) {}
    public func globalTimeoutDidExpire(results: ExecutionResults) {}
    public func executionDidComplete(results: ExecutionResults) {}
}

/// An observer that ignores everything.
public struct SilentObserver: ExecutionObserver {
    /// Creates a silent observer.
    public init() {}
}
