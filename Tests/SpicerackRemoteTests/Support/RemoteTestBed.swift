import Cumin
import Foundation
import Logging
import SpicerackRemote
import TestSupport

/// A configuration for tests that never reach a host (query-only, or with a test transport).
func offlineConfiguration() -> Configuration {
    var configuration = Configuration()
    configuration.defaultBackend = "direct"
    return configuration
}

/// A remote that prints to a memory console and logs to `recorder`.
func makeRemote(
    _ configuration: Configuration, dryRun: Bool = false, recorder: LogRecorder = LogRecorder(),
    console: Console = .memory(), transport: (any Transport)? = nil
) -> Remote {
    Remote(
        configuration: configuration, dryRun: dryRun, logger: recorder.logger(label: "spicerack.remote"),
        output: RemoteOutput(console: console), transport: transport)
}
