import Cumin
import Foundation
import Logging
import SpicerackRemote
import TestBed

/// Runs `body` with a bed of real loopback sshds (`host1`...`hostN`) and a remote reaching them with the direct
/// backend; the bed is stopped (by PID) and its directory removed afterwards.
func withRemoteBed(
    hosts: Int, dryRun: Bool = false, _ body: (TestBed, Remote, String) async throws -> Void
) async throws {
    let directory = NSTemporaryDirectory() + "spicerack-clients-bed-\(getpid())-\(UUID().uuidString.prefix(8))"
    let bed = try TestBed.start(TestBedConfiguration(directory: directory, hostCount: hosts))
    defer {
        try? bed.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
    var configuration = Configuration()
    configuration.defaultBackend = "direct"
    configuration.clustershell.sshOptions = ["-F \(bed.sshConfigPath)"]
    configuration.clustershell.connectTimeout = 5
    let remote = Remote(
        configuration: configuration, dryRun: dryRun, logger: Logger(label: "test"),
        output: RemoteOutput(console: .memory()))
    try await body(bed, remote, directory)
}
