import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A throwaway single-node etcd on 127.0.0.1 for tests: free client and peer ports, a temporary data directory.
///
/// ```swift
/// let etcd = try EtcdServer()
/// defer { etcd.stop() }
/// let backend = EtcdLockBackend(endpoints: [etcd.endpoint])
/// ```
/// The server runs in its own session and is stopped by PID by ``stop()`` (or when the object goes away). Servers
/// left behind by a test process that was killed are stopped the next time a server starts: each records its
/// owner's PID in the name of its directory under ``baseDirectory``.
public final class EtcdServer: Sendable {
    /// Where the servers' directories live: `etcd-<owner pid>-<random>/` with `data/`, `etcd.log`, `etcd.pid`.
    public static let baseDirectory = "/tmp/spicerack-testbed-etcd"

    /// TLS on the client listener: the server's certificate and key, and with ``clientCA`` the CA whose client
    /// certificates it requires (`--client-cert-auth`). All files PEM.
    public struct TLS: Sendable {
        /// The server certificate (its names must include 127.0.0.1).
        public var certificateFile: String
        /// The server's private key.
        public var keyFile: String
        /// The CA of the client certificates; nil accepts clients without a certificate.
        public var clientCA: String?

        /// TLS settings.
        public init(certificateFile: String, keyFile: String, clientCA: String? = nil) {
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.clientCA = clientCA
        }
    }

    /// The client URL, `http://127.0.0.1:PORT` (`https://` with TLS).
    public let endpoint: String
    /// The port of the client (and JSON gateway) listener.
    public let clientPort: Int
    /// The port of the peer listener.
    public let peerPort: Int
    /// This server's directory (data, log, pid file); removed by ``stop()``.
    public let directory: String
    /// The process ID of etcd.
    public let pid: Int32

    private let process: ProcessIdentity
    private let lock = NSLock()
    private nonisolated(unsafe) var stopped = false

    /// Starts etcd and returns once it answers `/health`.
    /// - Parameters:
    ///   - startTimeout: how long to wait for etcd to become healthy, in seconds (at most 15).
    ///   - enableV2: also serve the v2 keys API (`--enable-v2`), which conftool's data lives in.
    ///   - tls: serve clients over HTTPS (health is then checked on a plain-HTTP metrics listener).
    /// - Throws: ``TestBedError``: etcd missing (`apt-get install etcd-server`, or set `SPICERACK_TESTBED_ETCD`),
    ///   etcd exiting while starting (with its log tail), or not answering in time.
    public init(startTimeout: Double = 15, enableV2: Bool = false, tls: TLS? = nil) throws {
        let executable = try Tools.find(
            "etcd", environment: "SPICERACK_TESTBED_ETCD", hint: "apt-get install etcd-server")
        try FileSystem.createDirectory(Self.baseDirectory, mode: 0o700)
        Self.stopOrphans()
        let timeout = min(max(startTimeout, 1), 15)
        var lastError: (any Error)?
        // A port picked as free may be taken before etcd binds it: try again with other ports, a few times.
        for _ in 0..<3 {
            let directory = "\(Self.baseDirectory)/etcd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            do {
                let ports = try Self.freePorts(tls == nil ? 2 : 3)
                let (client, peer) = (ports[0], ports[1])
                let health = tls == nil ? client : ports[2]
                let process = try Self.launch(
                    executable, directory: directory, clientPort: client, peerPort: peer, enableV2: enableV2,
                    tls: tls, metricsPort: health)
                do {
                    try Self.waitUntilHealthy(process, directory: directory, port: health, timeout: timeout)
                } catch {
                    ProcessTable.terminate([process], gracePeriod: 2)
                    try? FileManager.default.removeItem(atPath: directory)
                    throw error
                }
                self.endpoint = "\(tls == nil ? "http" : "https")://127.0.0.1:\(client)"
                self.clientPort = client
                self.peerPort = peer
                self.directory = directory
                self.pid = process.pid
                self.process = process
                return
            } catch let error as TestBedError {
                lastError = error
                guard case .commandFailed(_, _, let output) = error, output.contains("address already in use") else {
                    throw error
                }
            }
        }
        throw lastError ?? TestBedError.invalidConfiguration("etcd could not be started")
    }

    deinit {
        stop()
    }

    /// Stops etcd by PID (SIGTERM, then SIGKILL after a bounded wait) and removes its directory; idempotent.
    public func stop() {
        let first: Bool = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        ProcessTable.terminate([process], gracePeriod: 3)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Whether the etcd process still runs.
    public var isRunning: Bool {
        ProcessTable.isAlive(process)
    }

    // MARK: - Start-up

    private static func launch(
        _ executable: String, directory: String, clientPort: Int, peerPort: Int, enableV2: Bool, tls: TLS?,
        metricsPort: Int
    ) throws -> ProcessIdentity {
        try FileSystem.createDirectory(directory, mode: 0o700)
        let logPath = directory + "/etcd.log"
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else {
            throw TestBedError.fileSystem(path: logPath, reason: "cannot open log: \(String(cString: strerror(errno)))")
        }
        defer { close(log) }
        let client = "\(tls == nil ? "http" : "https")://127.0.0.1:\(clientPort)"
        let peer = "http://127.0.0.1:\(peerPort)"
        let arguments = [
            "--name", "testbed", "--data-dir", directory + "/data",
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "testbed=\(peer)", "--initial-cluster-state", "new",
        ] + (enableV2 ? ["--enable-v2=true"] : []) + Self.tlsArguments(tls, metricsPort: metricsPort)
        let pid = try ChildProcess.spawn(executable, arguments, stdout: log, stderr: log)
        let process = ProcessTable.identity(of: pid) ?? ProcessIdentity(pid: pid, startTime: nil)
        try FileSystem.write("\(pid) \(process.startTime.map(String.init) ?? "-")\n", to: directory + "/etcd.pid")
        return process
    }

    private static func tlsArguments(_ tls: TLS?, metricsPort: Int) -> [String] {
        guard let tls else { return [] }
        var arguments = [
            "--cert-file", tls.certificateFile, "--key-file", tls.keyFile,
            "--listen-metrics-urls", "http://127.0.0.1:\(metricsPort)",
        ]
        if let clientCA = tls.clientCA {
            arguments += ["--client-cert-auth", "--trusted-ca-file", clientCA]
        }
        return arguments
    }

    private static func waitUntilHealthy(
        _ process: ProcessIdentity, directory: String, port: Int, timeout: Double
    ) throws {
        let logPath = directory + "/etcd.log"
        let healthy = try pollUntil(timeout: timeout, interval: 0.05) {
            guard ProcessTable.isAlive(process) else {
                throw TestBedError.commandFailed(
                    command: "etcd (log \(logPath))", exitCode: -1, output: FileSystem.tail(logPath))
            }
            return healthAnswer(port: port)?.contains("\"health\":\"true\"") ?? false
        }
        guard healthy else {
            throw TestBedError.commandTimeout(command: "etcd on 127.0.0.1:\(port) (log \(logPath))", seconds: timeout)
        }
    }

    /// The body of `GET /health` on 127.0.0.1:`port`, or nil when nothing answers within a second.
    private static func healthAnswer(port: Int) -> String? {
        guard var address = Loopback.socketAddress("127.0.0.1", port) else { return nil }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard send(descriptor, request, request.count, 0) == request.count else { return nil }
        var answer = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Bounded: HTTP/1.0 closes after the answer; at most 16 reads of a small body, each under a 1 s timeout.
        for _ in 0..<16 {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// `count` distinct ports of 127.0.0.1 that are free now (picked by the kernel).
    private static func freePorts(_ count: Int) throws -> [Int] {
        var descriptors: [Int32] = []
        defer { descriptors.forEach { close($0) } }
        var ports: [Int] = []
        for _ in 0..<count {
            guard var address = Loopback.socketAddress("127.0.0.1", 1) else { break }
            address.sin_port = 0
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw ChildProcess.posixError("socket") }
            descriptors.append(descriptor)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
                }
            }
            guard bound else { throw ChildProcess.posixError("bind 127.0.0.1:0") }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        guard ports.count == count else { throw TestBedError.noFreePort(range: 1...65535) }
        return ports
    }

    /// Stops the servers whose owning process is gone (a test run that was killed) and removes their directories.
    private static func stopOrphans() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: baseDirectory) else { return }
        for entry in entries where entry.hasPrefix("etcd-") {
            let parts = entry.split(separator: "-")
            guard parts.count == 3, let owner = Int32(parts[1]), ProcessTable.identity(of: owner) == nil else {
                continue
            }
            let directory = "\(baseDirectory)/\(entry)"
            let fields = (FileSystem.read(directory + "/etcd.pid") ?? "").split(separator: " ")
            if let pid = fields.first.flatMap({ Int32($0) }) {
                let startTime =
                    fields.count > 1 ? UInt64(fields[1].trimmingCharacters(in: .whitespacesAndNewlines)) : nil
                ProcessTable.terminate([ProcessIdentity(pid: pid, startTime: startTime)], gracePeriod: 2)
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
