import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bed of real OpenSSH hosts on loopback for tests, demos and benchmarks.
///
/// Every host runs its own sshd on its own 127.0.1.x address with its own host key; as root each sshd also
/// gets a private /srv (`<directory>/hosts/<name>/srv` bind-mounted in its own mount namespace) and its own
/// hostname. Optional shared names (`bench-host-001`...) are all served by one more sshd on 127.0.0.1.
/// One generated ssh_config names them all. Faults can be injected per host: down, frozen, slow.
///
/// The bed's state lives in `<directory>/state.json`, so another process (the `testbed` command) can
/// ``attach(directory:)`` to it. Every process the bed starts is stopped by PID.
///
/// ```swift
/// let bed = try TestBed.start(TestBedConfiguration(directory: "/tmp/bed", hostCount: 3))
/// defer { try? bed.stop() }
/// let result = try bed.ssh("host2", "hostname")   // "host2\n" as root
/// try bed.freezeHost("host3")                    // new connections to host3 now hang
/// ```
public final class TestBed: Sendable {
    /// Directory holding the bed's keys, configuration, logs and state.
    public let directory: String
    /// Names of the hosts that have their own sshd (`host1`...`hostN`).
    public let hosts: [String]
    /// Names all served by the shared sshd (`bench-host-001`...), empty without shared names.
    public let sharedHosts: [String]
    /// The client configuration naming every host: `ssh -F <sshConfigPath> host1 ...`.
    public let sshConfigPath: String
    /// Port of the per-host sshds (each listens on its own address).
    public let port: Int
    /// Port of the shared sshd on 127.0.0.1, nil without shared names.
    public let sharedPort: Int?
    /// User the client logs in as (the user running the bed).
    public let user: String
    /// Private key of the client, accepted by every sshd of the bed.
    public let identityFile: String

    private let sharedHostSet: Set<String>
    private let hostAddresses: [String: String]
    private let sharedAddress: String?
    let lock = NSLock()

    /// Serialises port selection and sshd start-up among beds started by this process.
    private static let startLock = NSLock()
    /// Port from which a free port is searched when the configuration does not fix one.
    public static let firstAutomaticPort = 2222

    init(attachingTo state: TestBedState) {
        directory = state.configuration.directory
        hosts = state.hosts.map(\.name)
        sharedHosts = state.shared == nil ? [] : state.configuration.sharedHostNames
        sshConfigPath = directory + "/ssh_config"
        port = state.port
        sharedPort = state.shared?.port
        user = state.user
        identityFile = Self.identityFile(in: directory)
        sharedHostSet = Set(sharedHosts)
        hostAddresses = Dictionary(state.hosts.map { ($0.name, $0.address) }, uniquingKeysWith: { first, _ in first })
        sharedAddress = state.shared?.address
    }

    // MARK: Starting and stopping

    /// Starts a bed as described by `configuration` and returns once every sshd accepts connections.
    ///
    /// Generates the keys that do not exist yet (one host key per sshd, one client key), an sshd_config per
    /// sshd and `<directory>/ssh_config`, then starts the sshds. A bed still recorded in the directory
    /// (a stale `state.json`) is stopped first, by its recorded PIDs.
    /// - Throws: ``TestBedError`` saying what failed (missing sshd, address in use, sshd log tail, ...).
    public static func start(_ configuration: TestBedConfiguration) throws -> TestBed {
        ignoreBrokenPipes()  // the bed's users talk to sshds and ssh clients that may go away mid-write
        var configuration = configuration
        while configuration.directory.count > 1 && configuration.directory.hasSuffix("/") {
            configuration.directory.removeLast()
        }
        try configuration.validate()
        let needsNamespaces = configuration.privateSrv || configuration.privateHostname
        if needsNamespaces && geteuid() != 0 {
            throw TestBedError.invalidConfiguration(
                "privateSrv and privateHostname need root (mount and UTS namespaces): run as root, or turn them off "
                    + "(testbed start --no-private-srv)")
        }
        let tools = LaunchTools(
            sshd: try Tools.sshd(), unshare: needsNamespaces ? try Tools.unshare() : nil)
        let keygen = try Tools.sshKeygen()
        let directory = configuration.directory
        try FileSystem.createDirectory(directory, mode: 0o755)

        return try FileSystem.withLock(in: directory) {
            if let stale = try TestBedState.load(from: directory) {
                try stopProcesses(of: stale, in: directory)
            }
            try prepareFiles(configuration, keygen: keygen)
            startLock.lock()
            defer { startLock.unlock() }
            return try launchBed(configuration, tools: tools)
        }
    }

    /// Reopens a running bed from `<directory>/state.json` (written by ``start(_:)``, possibly by another process).
    /// - Throws: ``TestBedError/notRunning(directory:)`` when no bed is recorded there.
    public static func attach(directory: String) throws -> TestBed {
        var directory = directory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        guard let state = try TestBedState.load(from: directory) else {
            throw TestBedError.notRunning(directory: directory)
        }
        return TestBed(attachingTo: state)
    }

    /// Stops every sshd of the bed (and the sessions they serve) by PID and removes the recorded state.
    ///
    /// Frozen sshds are continued first; SIGTERM is followed by SIGKILL after a bounded wait. Calling it
    /// again, or on a bed another process stopped, does nothing. Keys, configuration and /srv contents stay.
    public func stop() throws {
        try lock.withLock {
            guard FileManager.default.fileExists(atPath: TestBedState.path(in: directory)) else { return }
            try FileSystem.withLock(in: directory) {
                guard let state = try TestBedState.load(from: directory) else { return }
                try Self.stopProcesses(of: state, in: directory)
            }
        }
    }

    /// Whether the bed is still recorded as running (its state file exists).
    public var isRunning: Bool {
        FileManager.default.fileExists(atPath: TestBedState.path(in: directory))
    }

    /// Whether a bed is recorded as running in `directory`, without attaching to it.
    public static func isRecorded(in directory: String) -> Bool {
        FileManager.default.fileExists(atPath: TestBedState.path(in: directory))
    }

    // MARK: Fault injection

    /// Stops the sshd of `name` (and the sessions it serves): connections to it are then refused.
    /// Does nothing when the host is already down.
    public func stopHost(_ name: String) throws {
        try withHost(name) { state, index in
            if let process = state.hosts[index].process {
                let survivors = ProcessTable.terminate([process])
                guard survivors.isEmpty else {
                    throw TestBedError.signalTimeout(host: name, pid: process.pid, signal: "SIGKILL", seconds: 5)
                }
            }
            unlink(state.hosts[index].pidFilePath)
            state.hosts[index].process = nil
            state.hosts[index].frozen = false
        }
    }

    /// Starts the sshd of `name` again after ``stopHost(_:)``; does nothing when it runs.
    public func startHost(_ name: String) throws {
        try withHost(name) { state, index in
            if let process = state.hosts[index].process, ProcessTable.isAlive(process) { return }
            let tools = LaunchTools(
                sshd: try Tools.sshd(),
                unshare: state.configuration.privateSrv || state.configuration.privateHostname
                    ? try Tools.unshare() : nil)
            let offset = try Self.launch(&state.hosts[index], configuration: state.configuration, tools: tools)
            state.hosts[index].frozen = false
            do {
                try Self.waitUntilListening(
                    [(state.hosts[index], offset)], timeout: state.configuration.startTimeout)
            } catch {
                if let process = state.hosts[index].process { ProcessTable.terminate([process]) }
                state.hosts[index].process = nil
                throw error
            }
        }
    }

    /// Freezes the sshd listener of `name` with SIGSTOP: new connections hang (to test timeouts).
    /// Sessions already running go on.
    public func freezeHost(_ name: String) throws {
        try withHost(name) { state, index in
            let process = try Self.runningProcess(of: state.hosts[index])
            kill(process.pid, SIGSTOP)
            guard pollUntil(timeout: 3, { ProcessTable.state(of: process.pid) == "T" }) else {
                throw TestBedError.signalTimeout(host: name, pid: process.pid, signal: "SIGSTOP", seconds: 3)
            }
            state.hosts[index].frozen = true
        }
    }

    /// Continues the sshd of `name` after ``freezeHost(_:)`` with SIGCONT.
    public func thawHost(_ name: String) throws {
        try withHost(name) { state, index in
            let process = try Self.runningProcess(of: state.hosts[index])
            kill(process.pid, SIGCONT)
            guard pollUntil(timeout: 3, { ProcessTable.state(of: process.pid) != "T" }) else {
                throw TestBedError.signalTimeout(host: name, pid: process.pid, signal: "SIGCONT", seconds: 3)
            }
            state.hosts[index].frozen = false
        }
    }

    /// Makes every command on `name` start `delay` seconds late; 0 makes the host normal again.
    ///
    /// Rewrites the host's sshd_config with a `ForceCommand` that sleeps, then runs the client's command
    /// with the login shell (keeping its exit code), and sends SIGHUP so sshd re-executes itself with it.
    /// Returns once the sshd accepts connections again. On a host that is down it takes effect at
    /// ``startHost(_:)``; a frozen host stays frozen.
    public func setSlow(_ name: String, delay: Double) throws {
        guard delay.isFinite, (0...3600).contains(delay) else {
            throw TestBedError.invalidConfiguration("slow delay \(delay) must be in 0...3600 seconds")
        }
        try withHost(name) { state, index in
            state.hosts[index].slowDelay = delay
            try Self.writeSSHDConfig(for: state.hosts[index], directory: directory)
            guard let process = state.hosts[index].process, ProcessTable.isAlive(process) else { return }
            let frozen = state.hosts[index].frozen
            if frozen { kill(process.pid, SIGCONT) }
            unlink(state.hosts[index].pidFilePath)
            let offset = FileSystem.size(state.hosts[index].logPath)
            kill(process.pid, SIGHUP)
            try Self.waitUntilListening([(state.hosts[index], offset)], timeout: state.configuration.startTimeout)
            if frozen {
                kill(process.pid, SIGSTOP)
                _ = pollUntil(timeout: 3) { ProcessTable.state(of: process.pid) == "T" }
            }
        }
    }

    // MARK: Inspection

    /// Where the /srv of `name` lives on the controller's file system.
    ///
    /// With `privateSrv` this directory is what the host sees as /srv; shared names share one directory.
    public func srvPath(of name: String) -> String {
        sharedHostSet.contains(name) ? directory + "/shared/srv" : directory + "/hosts/\(name)/srv"
    }

    /// Address and port that `name` resolves to in the generated ssh_config.
    public func endpoint(of name: String) throws -> TestBedEndpoint {
        if let address = hostAddresses[name] { return TestBedEndpoint(address: address, port: port) }
        if sharedHostSet.contains(name), let sharedAddress, let sharedPort {
            return TestBedEndpoint(address: sharedAddress, port: sharedPort)
        }
        throw TestBedError.unknownHost(name: name, known: hosts + sharedHosts)
    }

    /// The state of every sshd of the bed: per-host sshds in order, then the shared sshd (named `shared`).
    public func status() throws -> [TestBedHostStatus] {
        guard let state = try TestBedState.load(from: directory) else {
            throw TestBedError.notRunning(directory: directory)
        }
        return state.allRecords.map { record in
            let alive = record.process.map(ProcessTable.isAlive) ?? false
            let frozen = alive && record.process.flatMap { ProcessTable.state(of: $0.pid) } == "T"
            return TestBedHostStatus(
                name: record.name, address: record.address, port: record.port,
                pid: alive ? record.process?.pid : nil,
                state: alive ? (frozen ? .frozen : .running) : .down,
                slowDelay: record.slowDelay,
                names: record.name == "shared" && state.shared == record
                    ? state.configuration.sharedHostNames : [record.name])
        }
    }

    /// How many SSH handshakes (public-key authentications) the sshd serving `name` has accepted so far.
    ///
    /// Shared names share one sshd, so they share one count. Tests use it to prove connection reuse.
    public func authenticationCount(of name: String) throws -> Int {
        guard let state = try TestBedState.load(from: directory) else {
            throw TestBedError.notRunning(directory: directory)
        }
        let record = sharedHostSet.contains(name) ? state.shared : state.hosts.first { $0.name == name }
        guard let record else { throw TestBedError.unknownHost(name: name, known: hosts + sharedHosts) }
        guard let log = FileManager.default.contents(atPath: record.logPath) else { return 0 }
        return String(decoding: log, as: UTF8.self).components(separatedBy: "Accepted publickey").count - 1
    }

    /// PIDs of the sshd listeners currently recorded (down hosts have none).
    public func processIDs() throws -> [Int32] {
        guard let state = try TestBedState.load(from: directory) else { return [] }
        return state.allRecords.compactMap { $0.process?.pid }
    }

    /// Runs `command` on `host` with the system ssh and the bed's ssh_config.
    ///
    /// - Parameters:
    ///   - options: extra ssh arguments placed before the host, e.g. `["-o", "ConnectTimeout=2"]`.
    ///   - timeout: seconds after which ssh is killed (the result then has `timedOut` set).
    public func ssh(_ host: String, _ command: String, options: [String] = [], timeout: Double = 30) throws
        -> TestBedCommandResult
    {
        try ChildProcess.run(try Tools.ssh(), ["-F", sshConfigPath] + options + [host, command], timeout: timeout)
    }

    /// The per-host names as one expression, e.g. `host[1-5]` (empty without hosts).
    public var hostsExpression: String {
        Self.fold(hosts)
    }

    /// The shared names as one expression, e.g. `bench-host-[001-200]` (empty without shared names).
    public var sharedHostsExpression: String {
        Self.fold(sharedHosts)
    }

    /// Shell variables describing the bed (`CUMIN_TESTBED_SSH_CONFIG`, ...), in a stable order.
    public var environment: [(name: String, value: String)] {
        [
            ("CUMIN_TESTBED_DIR", directory),
            ("CUMIN_TESTBED_SSH_CONFIG", sshConfigPath),
            ("CUMIN_TESTBED_HOSTS", hostsExpression),
            ("CUMIN_TESTBED_SHARED_HOSTS", sharedHostsExpression),
            ("CUMIN_TESTBED_IDENTITY", identityFile),
            ("CUMIN_TESTBED_USER", user),
            ("CUMIN_TESTBED_PORT", String(port)),
        ]
    }
}

/// Address and TCP port of a host of the bed.
public struct TestBedEndpoint: Sendable, Equatable {
    /// IPv4 loopback address.
    public var address: String
    /// TCP port.
    public var port: Int
}

/// What one sshd of the bed is doing.
public struct TestBedHostStatus: Sendable, Equatable {
    /// Whether the sshd accepts connections.
    public enum State: String, Sendable {
        /// Listening normally.
        case running
        /// Stopped (connections are refused).
        case down
        /// Stopped with SIGSTOP (connections hang).
        case frozen
    }

    /// Host name, or `shared` for the sshd serving the shared names.
    public var name: String
    /// Listening address.
    public var address: String
    /// Listening port.
    public var port: Int
    /// PID of the sshd listener, nil when down.
    public var pid: Int32?
    /// Whether it runs, is down or frozen.
    public var state: State
    /// Seconds every command waits before running (0 = not slow).
    public var slowDelay: Double
    /// Names this sshd serves.
    public var names: [String]
}
