import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A throwaway authoritative DNS server (Debian's NSD) on 127.0.0.1 for tests: one zone from a zone file the test
/// rewrites with ``setRecords(_:)`` (NSD reloads it on SIGHUP).
///
/// ```swift
/// let dns = try DNSServer(zone: "discovery.wmnet", records: [.init(name: "appservers-ro", ttl: 300, address: "10.2.2.1")])
/// defer { dns.stop() }
/// // dig @127.0.0.1 -p \(dns.port) appservers-ro.discovery.wmnet
/// ```
/// The server never touches Debian's system service: its own configuration, zone directory and port; stopped by PID.
public final class DNSServer: Sendable {
    /// One A record of the zone.
    public struct Record: Sendable, Equatable {
        /// The name relative to the zone (`appservers-ro`).
        public var name: String
        /// The TTL in seconds.
        public var ttl: Int
        /// The IPv4 address.
        public var address: String

        public init(name: String, ttl: Int, address: String) {
            self.name = name
            self.ttl = ttl
            self.address = address
        }
    }

    /// Where the servers' directories live.
    public static let baseDirectory = "/tmp/spicerack-testbed-dns"

    /// The UDP and TCP port on 127.0.0.1.
    public let port: Int
    /// The zone served (`discovery.wmnet`).
    public let zone: String
    /// This server's directory; removed by ``stop()``.
    public var directory: String { server.directory }
    /// The process ID of NSD.
    public var pid: Int32 { server.pid }

    private let server: ServerProcess
    private let serial = Mutex(1)

    /// Starts NSD serving `zone` with `records` and returns once it has loaded the zone.
    /// - Throws: ``TestBedError``: nsd missing (`apt-get install nsd`, or set `SPICERACK_TESTBED_NSD`), a record
    ///   that is not a plain name with an IPv4 address, NSD exiting while starting, or not ready in time.
    public init(zone: String = "discovery.wmnet", records: [Record], startTimeout: Double = 15) throws {
        let executable = try Tools.find("nsd", environment: "SPICERACK_TESTBED_NSD", hint: "apt-get install nsd")
        guard Self.isName(zone) else { throw TestBedError.invalidConfiguration("DNS zone '\(zone)'") }
        (server, port) = try ServerProcess.start(
            executable, name: "nsd", base: Self.baseDirectory, timeout: min(max(startTimeout, 1), 30), gracePeriod: 3
        ) { directory in
            let port = try ServerDirectory.freePort(udp: true)
            try FileSystem.write(
                Self.configuration(directory: directory, port: port, zone: zone), to: directory + "/nsd.conf")
            try FileSystem.write(try Self.zoneFile(zone: zone, serial: 1, records: records), to: directory + "/zone")
            return .init(setup: port, arguments: ["-d", "-c", directory + "/nsd.conf"]) {
                Self.loads(in: directory) >= 1 && Loopback.accepts("127.0.0.1", port)
            }
        }
        self.zone = zone
    }

    /// Rewrites the zone with `records` (a new serial) and waits until NSD has reloaded it.
    public func setRecords(_ records: [Record], timeout: Double = 10) throws {
        let next = serial.withLock { serial in
            serial += 1
            return serial
        }
        let before = Self.loads(in: directory)
        try FileSystem.write(try Self.zoneFile(zone: zone, serial: next, records: records), to: directory + "/zone")
        kill(server.pid, SIGHUP)
        try ServerDirectory.wait(
            for: server.process, name: "nsd reload", logPath: directory + "/nsd.log", timeout: timeout
        ) { Self.loads(in: directory) > before }
    }

    /// Stops NSD by PID and removes its directory; idempotent.
    public func stop() {
        server.stop()
    }

    /// Whether NSD still runs.
    public var isRunning: Bool { server.isRunning }

    /// How many times NSD logged loading the zone.
    private static func loads(in directory: String) -> Int {
        (FileSystem.read(directory + "/nsd.log") ?? "").components(separatedBy: "read with success").count - 1
    }

    private static func configuration(directory: String, port: Int, zone: String) -> String {
        """
        server:
          ip-address: 127.0.0.1@\(port)
          port: \(port)
          do-ip6: no
          username: ""
          chroot: ""
          zonesdir: "\(directory)"
          database: ""
          zonelistfile: "\(directory)/zone.list"
          xfrdfile: "\(directory)/xfrd.state"
          xfrdir: "\(directory)"
          pidfile: "\(directory)/nsd.daemon.pid"
          logfile: "\(directory)/nsd.log"
          server-count: 1
          verbosity: 1
        remote-control:
          control-enable: no
        zone:
          name: \(zone)
          zonefile: zone

        """
    }

    private static func zoneFile(zone: String, serial: Int, records: [Record]) throws -> String {
        var text = """
            $ORIGIN \(zone).
            $TTL 300
            @ IN SOA ns0.\(zone). hostmaster.\(zone). \(serial) 3600 600 86400 300
            @ IN NS ns0.\(zone).
            ns0 IN A 127.0.0.1

            """
        for record in records {
            guard isName(record.name), (0...86400).contains(record.ttl), Loopback.parse(record.address) != nil else {
                throw TestBedError.invalidConfiguration(
                    "DNS record \(record.name) \(record.ttl) \(record.address): expected a name, a TTL and an IPv4")
            }
            text += "\(record.name) \(record.ttl) IN A \(record.address)\n"
        }
        return text
    }

    /// Letters, digits, `-`, `_` in dot-separated labels.
    private static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.count < 250
            && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
                !label.isEmpty && label.count < 64 && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
            }
    }
}
