import Cumin

/// Draws cumin's PASS/FAIL bars for a run and nothing else (Spicerack's `print_output=False` with progress bars).
struct ProgressObserver: ExecutionObserver {
    let bars: ProgressBars

    func executionWillStart(command index: Int?, hostCount: Int) { bars.reset(total: hostCount) }
    func hostDidComplete(_ host: String, state: HostState) { bars.update(success: state == .success) }
    func commandDidComplete(_ index: Int, results: ExecutionResults) { bars.close() }
    func executionDidComplete(results: ExecutionResults) { bars.close() }
}
