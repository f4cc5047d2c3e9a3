import Cumin
import Synchronization

/// The transport a ``TargetStageRunner`` shares between stages, made on first use, and the hosts it reached.
final class TargetConnections: Sendable {
    private struct State {
        var transport: (any Transport)?
        var hosts: Set<String> = []
    }
    private let state = Mutex(State())

    /// The shared transport (made with `make` the first time), noting `hosts` for ``take()``.
    func transport<Hosts: Sequence<String>>(hosts: Hosts, make: () throws(ExecutionError) -> any Transport)
        throws(ExecutionError) -> any Transport
    {
        try state.withLock { (state: inout State) throws(ExecutionError) -> any Transport in
            state.hosts.formUnion(hosts)
            if let transport = state.transport { return transport }
            let transport = try make()
            state.transport = transport
            return transport
        }
    }

    /// Hands over the transport and the hosts it served, leaving nothing behind; `nil` when none was made.
    func take() -> (any Transport, [String])? {
        state.withLock { state in
            defer { state = State() }
            return state.transport.map { ($0, state.hosts.sorted()) }
        }
    }
}
