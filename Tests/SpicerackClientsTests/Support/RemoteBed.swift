import Cumin
import Foundation
import Logging
import SpicerackRemote
import TestBed
import TestSupport

/// Runs `body` with a bed of real loopback sshds (`host1`...`hostN`) and a remote reaching them with the direct
/// backend; the bed is stopped (by PID) and its directory removed afterwards.
func withRemoteBed(
    hosts: Int, dryRun: Bool = false, _ body: (TestBed, Remote, String) async throws -> Void
) async throws {
    try await withLoopbackBed(label: "spicerack-clients-bed", hosts: hosts) { bed, directory in
        let remote = Remote(
            configuration: bed.cuminConfiguration(), dryRun: dryRun, logger: Logger(label: "test"),
            output: RemoteOutput(console: .memory()))
        try await body(bed, remote, directory)
    }
}
