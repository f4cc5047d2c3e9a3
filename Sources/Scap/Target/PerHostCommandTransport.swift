import Cumin

/// A transport that sends each host its own command line in place of the one the executor hands it, so one
/// cumin run (one batch window, one failure limit) can deploy per-host plans.
struct PerHostCommandTransport: Transport {
    var base: any Transport
    var commands: [String: String]
    /// The connections outlive this run (the runner closes them after the last stage).
    var keepsConnections = false

    var fanout: Int { base.fanout }

    func run(_ command: Command, on host: String, output: OutputHandler?) async -> TransportResult {
        var sent = command
        if let line = commands[host] { sent.command = line }
        return await base.run(sent, on: host, output: output)
    }

    func shutdown(hosts: [String]) async {
        guard !keepsConnections else { return }
        await base.shutdown(hosts: hosts)
    }
}
