import Foundation
import Synchronization

/// One throwaway server of the test bed (etcd, Prometheus, Alertmanager, NSD): its process, started in its own
/// session with its log and pid file in a private directory, and stopped by PID.
///
/// ``start(_:name:base:timeout:gracePeriod:_:)`` makes the directory (`<base>/<name>-<owner pid>-<random>`, after
/// stopping the servers of dead owners), lets the caller write its configuration and pick its ports, launches the
/// program and waits for the caller's readiness probe; a server that lost its port to another process ("address
/// already in use") is started again in a new directory with new ports.
final class ServerProcess: Sendable {
    /// What a server needs from its caller once its directory exists.
    struct Launch<Setup> {
        /// What the caller keeps (its ports, say).
        var setup: Setup
        /// The program's arguments.
        var arguments: [String]
        /// Whether the server answers; polled every 50 ms while it starts.
        var ready: () -> Bool
    }

    /// The server's directory (configuration, data, `<name>.log`, `<name>.pid`); removed by ``stop()``.
    let directory: String
    /// The server's process.
    let process: ProcessIdentity
    /// How long ``stop()`` waits after SIGTERM before SIGKILL, in seconds.
    let gracePeriod: Double
    private let stopped = Mutex(false)

    private init(directory: String, process: ProcessIdentity, gracePeriod: Double) {
        self.directory = directory
        self.process = process
        self.gracePeriod = gracePeriod
    }

    deinit {
        stop()
    }

    /// Starts `executable` as the server `name` and returns once `ready` holds.
    /// - Parameters:
    ///   - base: the directory holding the servers' directories.
    ///   - timeout: how long to wait for readiness, in seconds.
    ///   - configure: given the new directory, writes the configuration and returns the arguments and the probe.
    /// - Throws: ``TestBedError``: the server exiting while starting (with its log tail), not ready in time, or a
    ///   configuration that could not be written.
    static func start<Setup>(
        _ executable: String, name: String, base: String, timeout: Double, gracePeriod: Double,
        _ configure: (_ directory: String) throws -> Launch<Setup>
    ) throws -> (server: ServerProcess, setup: Setup) {
        try ServerDirectory.start(base: base, prefix: name) { directory in
            let launch = try configure(directory)
            let process = try ServerDirectory.launchAndWait(
                executable, launch.arguments, directory: directory, name: name, timeout: timeout, ready: launch.ready)
            return (ServerProcess(directory: directory, process: process, gracePeriod: gracePeriod), launch.setup)
        }
    }

    /// The process ID of the server.
    var pid: Int32 { process.pid }

    /// Whether the server still runs.
    var isRunning: Bool { ProcessTable.isAlive(process) }

    /// Stops the server by PID (SIGTERM, then SIGKILL after ``gracePeriod``) and removes its directory; idempotent.
    func stop() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        ProcessTable.terminate([process], gracePeriod: gracePeriod)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
