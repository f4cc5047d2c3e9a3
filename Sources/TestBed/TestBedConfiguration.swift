#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What test bed to start: how many hosts, their names and addresses, and which isolation to apply.
///
/// ```swift
/// let bed = try TestBed.start(TestBedConfiguration(directory: "/tmp/bed", hostCount: 3, sharedHostCount: 200))
/// defer { try? bed.stop() }
/// // ssh -F /tmp/bed/ssh_config host2 hostname
/// ```
public struct TestBedConfiguration: Sendable, Codable, Equatable {
    /// Directory holding keys, configuration, logs, per-host files and the state of the bed.
    public var directory: String
    /// Number of hosts with their own sshd (at most 254).
    public var hostCount: Int
    /// Host names are `<namePrefix>1` ... `<namePrefix>N`.
    public var namePrefix: String
    /// The first three octets of the per-host addresses: host `i` listens on `<addressPrefix>.<i>`.
    public var addressPrefix: String
    /// TCP port of every per-host sshd (each on its own address); the shared sshd uses `port + 1`.
    /// `nil` picks the first free even port from 2222 on (retrying on a race with another bed).
    public var port: Int?
    /// Number of extra names all served by one additional sshd on 127.0.0.1 (for benchmarks).
    public var sharedHostCount: Int
    /// Shared names are `<sharedNamePrefix>001` ... (zero-padded to at least three digits).
    public var sharedNamePrefix: String
    /// Give every sshd its own mount namespace with `<directory>/hosts/<name>/srv` bound on /srv.
    /// Needs root; defaults to whether the process runs as root.
    public var privateSrv: Bool
    /// Give every per-host sshd its own UTS namespace whose hostname is the host name, so that
    /// `ssh host2 hostname` prints `host2`. Needs root; defaults to whether the process runs as root.
    public var privateHostname: Bool
    /// When set, the client configuration pins these key-exchange algorithms (e.g. `curve25519-sha256`).
    public var kexAlgorithms: String?
    /// Seconds to wait for every sshd to accept connections.
    public var startTimeout: Double

    /// Creates a configuration; see the properties for the meaning of each parameter.
    public init(
        directory: String, hostCount: Int, namePrefix: String = "host", addressPrefix: String = "127.0.1",
        port: Int? = nil, sharedHostCount: Int = 0, sharedNamePrefix: String = "bench-host-",
        privateSrv: Bool? = nil, privateHostname: Bool? = nil, kexAlgorithms: String? = nil,
        startTimeout: Double = 15
    ) {
        self.directory = directory
        self.hostCount = hostCount
        self.namePrefix = namePrefix
        self.addressPrefix = addressPrefix
        self.port = port
        self.sharedHostCount = sharedHostCount
        self.sharedNamePrefix = sharedNamePrefix
        self.privateSrv = privateSrv ?? (geteuid() == 0)
        self.privateHostname = privateHostname ?? (geteuid() == 0)
        self.kexAlgorithms = kexAlgorithms
        self.startTimeout = startTimeout
    }

    /// Largest number of per-host sshds (one per address of a /24 loopback prefix).
    public static let maximumHostCount = 254
    /// Largest number of shared names.
    public static let maximumSharedHostCount = 100_000

    /// Names of the per-host sshds, in order.
    public var hostNames: [String] {
        (0..<max(hostCount, 0)).map { "\(namePrefix)\($0 + 1)" }
    }

    /// Names served by the shared sshd, in order.
    public var sharedHostNames: [String] {
        let width = max(3, String(max(sharedHostCount, 0)).count)
        return (0..<max(sharedHostCount, 0)).map { index in
            let number = String(index + 1)
            return sharedNamePrefix + String(repeating: "0", count: width - number.count) + number
        }
    }

    /// Throws unless the configuration can be started.
    func validate() throws {
        func invalid(_ message: String) -> TestBedError { .invalidConfiguration(message) }
        guard directory.hasPrefix("/") else { throw invalid("directory '\(directory)' must be an absolute path") }
        guard !directory.contains(where: { $0.isWhitespace || "\"'\\$`".contains($0) }) else {
            throw invalid("directory '\(directory)' must not contain spaces, quotes, '$' or backslashes")
        }
        guard (0...Self.maximumHostCount).contains(hostCount) else {
            throw invalid(
                "hostCount \(hostCount) must be in 0...\(Self.maximumHostCount); serve more names with sharedHostCount")
        }
        guard (0...Self.maximumSharedHostCount).contains(sharedHostCount) else {
            throw invalid("sharedHostCount \(sharedHostCount) must be in 0...\(Self.maximumSharedHostCount)")
        }
        guard hostCount + sharedHostCount > 0 else { throw invalid("the bed needs at least one host or shared name") }
        let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        for prefix in [namePrefix, sharedNamePrefix] {
            guard !prefix.isEmpty, prefix.allSatisfy({ nameCharacters.contains($0) }) else {
                throw invalid("name prefix '\(prefix)' must be non-empty letters, digits, '-', '_' or '.'")
            }
        }
        if sharedHostCount > 0 {
            guard !sharedNamePrefix.hasPrefix(namePrefix) && !namePrefix.hasPrefix(sharedNamePrefix) else {
                throw invalid("namePrefix '\(namePrefix)' and sharedNamePrefix '\(sharedNamePrefix)' must not overlap")
            }
        }
        let octets = addressPrefix.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 3, octets.first == "127", octets.allSatisfy({ UInt8($0) != nil }) else {
            throw invalid("addressPrefix '\(addressPrefix)' must be three octets of a loopback address, e.g. 127.0.1")
        }
        if let port {
            guard (1024...65534).contains(port) else { throw invalid("port \(port) must be in 1024...65534") }
        }
        if let kexAlgorithms {
            guard !kexAlgorithms.isEmpty, !kexAlgorithms.contains(where: { $0.isWhitespace }) else {
                throw invalid("kexAlgorithms '\(kexAlgorithms)' must be a comma-separated list without spaces")
            }
        }
        guard startTimeout > 0 && startTimeout <= 600 else { throw invalid("startTimeout must be in (0, 600] seconds") }
    }
}
