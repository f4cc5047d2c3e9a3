import Cumin
import Foundation
import Logging
import SpicerackRemote
import TestBed

/// Starts a bed of real loopback sshds for one test and stops it (by PID) afterwards; the configuration reaches
/// the hosts as `host1`...`hostN` with the direct backend as default.
func withRemoteTestBed<T>(hosts: Int = 3, _ body: (TestBed, Configuration) async throws -> T) async throws -> T {
    stopRemoteBedsOfDeadTestRuns()
    let directory = NSTemporaryDirectory() + "spicerack-remote-bed-\(getpid())-\(UUID().uuidString.prefix(8))"
    let bed = try TestBed.start(TestBedConfiguration(directory: directory, hostCount: hosts))
    defer {
        try? bed.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
    return try await body(bed, bedConfiguration(bed))
}

/// Cumin's configuration for a bed: its ssh_config, the direct backend, a short connect timeout.
func bedConfiguration(_ bed: TestBed) -> Configuration {
    var configuration = Configuration()
    configuration.defaultBackend = "direct"
    configuration.clustershell.sshOptions = ["-F \(bed.sshConfigPath)"]
    configuration.clustershell.connectTimeout = 5
    return configuration
}

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

/// Stops (by the PIDs they recorded) the beds left behind by a test process that was killed before its `defer`
/// ran; their directory names carry the PID of the test process that started them.
private func stopRemoteBedsOfDeadTestRuns() {
    let temporary = NSTemporaryDirectory()
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
    for entry in entries.prefix(10_000) where entry.hasPrefix("spicerack-remote-bed-") {
        let parts = entry.split(separator: "-")
        guard parts.count >= 5, let owner = Int32(parts[3]), owner != getpid(), kill(owner, 0) != 0 else { continue }
        let directory = temporary + entry
        try? TestBed.attach(directory: directory).stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
