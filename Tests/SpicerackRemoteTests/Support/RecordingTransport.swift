import Cumin
import Synchronization

/// A transport that records every command it is handed and answers with scripted output, for the few checks
/// that are about what is sent rather than what a host does (`sudo -i`, the reboot timeout, an unparsable
/// `/proc/uptime`). Everything else runs over real SSH on the test bed.
struct RecordingTransport: Transport {
    struct Sent: Sendable, Equatable {
        var host: String
        var command: Command
    }

    final class Log: Sendable {
        private let state = Mutex<[Sent]>([])
        func append(_ sent: Sent) { state.withLock { $0.append(sent) } }
        var sent: [Sent] { state.withLock { $0 } }
    }

    var fanout = 64
    let log = Log()
    /// The output and exit code of `command` on `host`.
    var answer: @Sendable (_ host: String, _ command: String) -> (output: String, exitCode: Int32) = { _, _ in ("", 0) }

    func run(_ command: Command, on host: String, output: OutputHandler?) async -> TransportResult {
        log.append(Sent(host: host, command: command))
        let (text, exitCode) = answer(host, command.command)
        let bytes = Array(text.utf8)
        return TransportResult(exitCode: exitCode, stdout: bytes, combined: bytes)
    }
}
