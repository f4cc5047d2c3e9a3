import Foundation
import Logging
import Wmflib

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// DNS discovery records (Spicerack's `Discovery`): their pooled datacenters in conftool's `discovery` objects
/// (`dnsdisc=<record>`, `name=<datacenter>`), and what the authoritative DNS servers answer for
/// `<record>.discovery.wmnet`.
///
/// ```swift
/// let discovery = try spicerack.discovery("appservers-ro")
/// let wasPooled = try await discovery.activeDatacenters["appservers-ro", default: []].contains("codfw")
/// try await discovery.depool("codfw")        // refused if codfw is the last active datacenter
/// try await discovery.updateTTL(10)          // sets ttl in conftool, then waits for the DNS answers to agree
/// try await discovery.checkRecord("appservers-ro", expectedName: "appservers.svc.eqiad.wmnet")
/// ```
/// Dry-run: conftool writes are logged and skipped; DNS checks run but their mismatches are only logged.
public struct Discovery: Sendable {
    /// The records, e.g. `appservers-ro`.
    public let records: [String]
    /// Whether writes are skipped.
    public let dryRun: Bool
    /// The domain of the records.
    public let domain: String
    /// How many times the DNS checks are tried (once in dry-run), and the constant delay between tries.
    public let checkTries: Int
    public let checkDelay: Duration
    let conftool: ConftoolEntity
    let nameservers: [(name: String, resolver: DNSResolver)]
    let logger: Logger

    /// Creates the accessor.
    /// - Parameters:
    ///   - conftool: the `discovery` entity.
    ///   - authdnsServers: host name → `IP` or `IP:port` of the authoritative servers (port 5353 by default, as
    ///     Spicerack asks them).
    ///   - records: record names (letters, digits, `-`, `_`, `.`).
    /// - Throws: ``DiscoveryError`` for no records, a record that is not a plain name, or a bad server address.
    public init(
        conftool: ConftoolEntity, authdnsServers: [String: String], records: [String], dryRun: Bool,
        domain: String = "discovery.wmnet", checkTries: Int = 10, checkDelay: Duration = .seconds(3),
        logger: Logger = Logger(label: "spicerack.dnsdisc")
    ) throws(DiscoveryError) {
        guard !records.isEmpty else { throw DiscoveryError("No discovery records given") }
        for record in records where !Self.isPlainName(record) {
            throw DiscoveryError("Invalid discovery record '\(record)': use letters, digits, '-', '_' and '.'")
        }
        var servers: [(String, DNSResolver)] = []
        for (name, value) in authdnsServers.sorted(by: { $0.key < $1.key }) {
            let parts = value.split(separator: ":")
            var parsed = in_addr()
            guard (1...2).contains(parts.count), let port = parts.count == 2 ? Int(parts[1]) : 5353,
                (1...65535).contains(port), inet_pton(AF_INET, String(parts[0]), &parsed) == 1
            else {
                throw DiscoveryError("Invalid address '\(value)' of the authoritative DNS server \(name): use IP or IP:port")
            }
            servers.append((name, DNSResolver(address: String(parts[0]), port: port)))
        }
        self.conftool = conftool
        self.records = records
        self.dryRun = dryRun
        self.domain = domain
        self.checkTries = max(checkTries, 1)
        self.checkDelay = checkDelay
        self.nameservers = servers
        self.logger = logger
    }

    /// The conftool selector of the records: `(a|b)` with dots escaped.
    var selector: String {
        "(" + records.map { $0.replacingOccurrences(of: ".", with: "\\.") }.joined(separator: "|") + ")"
    }

    /// The datacenters each record is pooled in: `["appservers-ro": ["codfw", "eqiad"]]`; a record pooled
    /// nowhere is absent.
    public var activeDatacenters: [String: [String]] {
        get async throws(DiscoveryError) {
            var services: [String: [String]] = [:]
            for object in try await conftoolCall({ try await conftool.get(["dnsdisc": selector]) })
            where object["pooled"] == true {
                services[object.tags["dnsdisc"] ?? "", default: []].append(object.name)
            }
            return services
        }
    }

    /// Pools the records in `datacenter` (conftool `pooled: true`, verified).
    public func pool(_ datacenter: String) async throws(DiscoveryError) {
        try await conftoolCall {
            try await conftool.setAndVerify("pooled", true, ["dnsdisc": selector, "name": datacenter])
        }
    }

    /// Depools the records from `datacenter` (conftool `pooled: false`, verified), refusing when it is the last
    /// datacenter a record is active in, unless `force`.
    public func depool(_ datacenter: String, force: Bool = false) async throws(DiscoveryError) {
        if !force { try await checkIfDepoolable(datacenter) }
        try await conftoolCall {
            try await conftool.setAndVerify("pooled", false, ["dnsdisc": selector, "name": datacenter])
        }
    }

    /// Fails when depooling `datacenter` would leave a record active nowhere (only logged in dry-run).
    public func checkIfDepoolable(_ datacenter: String) async throws(DiscoveryError) {
        let blocked = try await activeDatacenters.filter { $0.value == [datacenter] }.keys.sorted()
        guard !blocked.isEmpty else { return }
        let message =
            "Services \(blocked.joined(separator: ", ")) cannot be depooled as they are only active in \(datacenter)"
        if dryRun {
            logger.debug("\(message)")
        } else {
            throw DiscoveryError(message)
        }
    }

    /// Sets the TTL of the records in conftool, then checks that the DNS servers answer with it (a mismatch is
    /// only an error outside dry-run).
    public func updateTTL(_ ttl: Int) async throws(DiscoveryError) {
        logger.debug("Updating the TTL of \(selector) to \(ttl) seconds")
        try await conftoolCall { try await conftool.setAndVerify("ttl", .int(ttl), ["dnsdisc": selector]) }
        do {
            try await checkTTL(ttl)
        } catch where dryRun {
            logger.info("TTL check failed, as expected in dry-run: \(error)")
        }
    }

    /// Checks, retrying, that every server answers every record with `ttl`.
    public func checkTTL(_ ttl: Int) async throws(DiscoveryError) {
        logger.debug("Checking that TTL=\(ttl) for \(records) \(domain) records")
        try await retried("Waiting for DNS TTL update...") { () async throws(DiscoveryError) in
            for answer in try await resolve() where answer.ttl != ttl {
                throw DiscoveryError(
                    "Expected TTL '\(ttl)', got '\(answer.ttl)' for record \(answer.name) from \(answer.nameserver)",
                    isCheck: true)
            }
        }
        logger.info(records.count == 1 ? "\(records[0]).\(domain) TTL is correct." : "\(records) \(domain) TTLs are correct.")
    }

    /// Checks, retrying, that every server resolves `name` to the address of `expectedName`.
    public func checkRecord(_ name: String, expectedName: String) async throws(DiscoveryError) {
        try await retried("Waiting for DNS record update...") { () async throws(DiscoveryError) in
            let expected = try await resolveAddress(expectedName)
            logger.info("Checking that \(name).\(domain) records matches \(expectedName) (\(expected))")
            var failed = false
            for answer in try await resolve(name: name) where answer.addresses.first != expected {
                logger.error("Expected IP '\(expected)', got '\(answer.addresses.first ?? "-")' for record \(name) from \(answer.nameserver)")
                failed = true
            }
            if failed && !dryRun {
                throw DiscoveryError("Resolved record \(name) with the wrong IP", isCheck: true)
            }
        }
        logger.info("\(name).\(domain) record is correct.")
    }

    /// The first address of `name` (a full name) from the first server.
    public func resolveAddress(_ name: String) async throws(DiscoveryError) -> String {
        guard let first = nameservers.first else { throw DiscoveryError("No authoritative DNS server configured") }
        let answer = try await first.resolver.resolveA(name, nameserver: first.name)
        guard let address = answer.addresses.first else {
            throw DiscoveryError("Unable to resolve \(name) from \(first.name): no address")
        }
        return address
    }

    /// What every server answers for every record (or for `name` only), as `<record>.<domain>`.
    public func resolve(name: String? = nil) async throws(DiscoveryError) -> [DNSAnswer] {
        guard !nameservers.isEmpty else { throw DiscoveryError("No authoritative DNS server configured") }
        var answers: [DNSAnswer] = []
        for (server, resolver) in nameservers {
            for record in name.map({ [$0] }) ?? records {
                let answer = try await resolver.resolveA("\(record).\(domain)", nameserver: server)
                logger.debug("[\(server)] \(record) -> \(answer.addresses.first ?? "-") TTL \(answer.ttl)")
                answers.append(answer)
            }
        }
        return answers
    }

    /// The address each server answers for `record` (`<record>.<domain>`) to a client at `clientIP`
    /// (Spicerack's `resolve_with_client_ip`): the query carries an EDNS Client Subnet option (the client's /24,
    /// or /56 for IPv6), as a recursive resolver serving that client sends it, so a GeoDNS server answers with
    /// the datacenter it would send that client to.
    /// - Returns: server name → first address.
    /// - Throws: ``DiscoveryError`` for an invalid IP, no server configured or a server that does not resolve it.
    public func resolveWithClientIP(
        _ record: String, clientIP: String
    ) async throws(DiscoveryError) -> [String: String] {
        let subnet = try ClientSubnet(clientIP)
        guard !nameservers.isEmpty else { throw DiscoveryError("No authoritative DNS server configured") }
        var addresses: [String: String] = [:]
        for (server, resolver) in nameservers {
            let answer = try await resolver.resolveA("\(record).\(domain)", nameserver: server, clientSubnet: subnet)
            guard let address = answer.addresses.first else {
                throw DiscoveryError("Unable to resolve \(record).\(domain) from \(server): no address")
            }
            logger.debug("[\(server)] \(record) for \(clientIP) -> \(address)")
            addresses[server] = address
        }
        return addresses
    }

    // MARK: - Helpers

    private func conftoolCall<T>(_ body: () async throws -> T) async throws(DiscoveryError) -> T {
        do {
            return try await body()
        } catch let error as DiscoveryError {
            throw error
        } catch {
            throw DiscoveryError("Conftool: \(error)")
        }
    }

    /// Runs `check` up to ``checkTries`` times (once in dry-run), `checkDelay` apart, while it fails a check.
    private func retried(_ message: String, _ check: () async throws(DiscoveryError) -> Void)
        async throws(DiscoveryError)
    {
        do {
            try await retry(
                tries: checkTries, delay: checkDelay, backoff: .constant,
                retryIf: { $0 is DiscoveryError },
                failureMessage: message, dryRun: dryRun, logger: logger
            ) { try await check() }
        } catch let error as DiscoveryError {
            throw error
        } catch {
            throw DiscoveryError("\(message) \(error)")
        }
    }

    private static func isPlainName(_ text: String) -> Bool {
        !text.isEmpty && text.count < 200
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }
}
