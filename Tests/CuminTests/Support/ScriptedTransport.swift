import Cumin
import Synchronization

/// A transport whose hosts behave as a script says, recording when each command started and ended.
///
/// It stands in for SSH only in tests of the engine's scheduling logic; the behaviour over real SSH is covered
/// by the test-bed tests.
struct ScriptedTransport: Transport {
    struct Behavior: Sendable {
        var exitCode: Int32 = 0
        var output = ""
        var delay: Duration = .zero
    }

    struct Start: Sendable {
        var host: String
        var command: String
        var at: ContinuousClock.Instant
    }

    final class Log: Sendable {
        private let state = Mutex<(starts: [Start], inFlight: Int, maxInFlight: Int)>(([], 0, 0))

        func started(_ host: String, _ command: String) {
            state.withLock {
                $0.starts.append(Start(host: host, command: command, at: .now))
                $0.inFlight += 1
                $0.maxInFlight = max($0.maxInFlight, $0.inFlight)
            }
        }

        func finished() { state.withLock { $0.inFlight -= 1 } }
        var starts: [Start] { state.withLock { $0.starts } }
        var maxInFlight: Int { state.withLock { $0.maxInFlight } }
        func hosts(for command: String) -> [String] { starts.filter { $0.command == command }.map(\.host) }
    }

    var fanout: Int = 64
    var log = Log()
    var behavior: @Sendable (_ host: String, _ command: String) -> Behavior

    func run(_ command: Command, on host: String, output: OutputHandler?) async -> TransportResult {
        log.started(host, command.command)
        defer { log.finished() }
        let script = behavior(host, command.command)
        let start = ContinuousClock.now
        if let timeout = command.timeout, timeout < script.delay {
            do { try await Task.sleep(for: timeout) } catch { return TransportResult(cancelled: true) }
            return TransportResult(timedOut: true, duration: .now - start)
        }
        if script.delay > .zero {
            do { try await Task.sleep(for: script.delay) } catch { return TransportResult(cancelled: true) }
        }
        let bytes = Array(script.output.utf8)
        if !bytes.isEmpty { output?(bytes, .stdout) }
        return TransportResult(
            exitCode: script.exitCode, stdout: bytes, combined: bytes, duration: .now - start)
    }
}
