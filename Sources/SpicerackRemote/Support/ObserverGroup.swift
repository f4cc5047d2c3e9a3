import Cumin

/// Forwards every event of a run to several observers, in order.
struct ObserverGroup: ExecutionObserver {
    var observers: [any ExecutionObserver]

    func executionWillStart(command index: Int?, hostCount: Int) {
        for observer in observers { observer.executionWillStart(command: index, hostCount: hostCount) }
    }

    func singleHostCommandWillStart(_ index: Int, _ command: Command) {
        for observer in observers { observer.singleHostCommandWillStart(index, command) }
    }

    func liveOutput(_ chunk: [UInt8], from stream: OutputStream) {
        for observer in observers { observer.liveOutput(chunk, from: stream) }
    }

    func hostDidComplete(_ host: String, state: HostState) {
        for observer in observers { observer.hostDidComplete(host, state: state) }
    }

    func commandDidComplete(_ index: Int, results: ExecutionResults) {
        for observer in observers { observer.commandDidComplete(index, results: results) }
    }

    func globalTimeoutDidExpire(results: ExecutionResults) {
        for observer in observers { observer.globalTimeoutDidExpire(results: results) }
    }

    func executionDidComplete(results: ExecutionResults) {
        for observer in observers { observer.executionDidComplete(results: results) }
    }
}
