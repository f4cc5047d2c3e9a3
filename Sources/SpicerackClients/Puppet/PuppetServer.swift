import Cumin
import Foundation
import Logging
import NodeSet
import SpicerackRemote
import Wmflib

/// One certificate (or certificate request) on the Puppet CA, as `puppetserver ca list --format json` reports it.
public struct PuppetCertificate: Sendable, Equatable, Decodable {
    /// The certificate's name, the host's FQDN.
    public var name: String
    /// `requested`, `signed` or `revoked`.
    public var state: String
    /// The default fingerprint (`AA:BB:...`).
    public var fingerprint: String
    /// The fingerprints by algorithm (`SHA256`, `default`, ...).
    public var fingerprints: [String: String]
    /// The alternative names (`DNS:service.example.org`).
    public var dnsAltNames: [String]

    enum CodingKeys: String, CodingKey {
        case name, state, fingerprint, fingerprints
        case dnsAltNames = "dns_alt_names"
    }

    /// Decodes one entry; only `name` is required.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        state = try container.decodeIfPresent(String.self, forKey: .state) ?? ""
        fingerprint = try container.decodeIfPresent(String.self, forKey: .fingerprint) ?? ""
        fingerprints = try container.decodeIfPresent([String: String].self, forKey: .fingerprints) ?? [:]
        dnsAltNames = try container.decodeIfPresent([String].self, forKey: .dnsAltNames) ?? []
    }
}

/// The Puppet server that is the CA (Spicerack's `PuppetServer`): certificate operations through `puppetserver ca`
/// and node clean-up through `puppet node`, run on that one host.
///
/// ```swift
/// let server = try spicerack.puppetServer()
/// try await server.destroy("mw1001.eqiad.wmnet")               // its certificate, if any
/// try await server.waitForCSR("mw1001.eqiad.wmnet")            // the reimaged host asked for a new one
/// try await server.sign("mw1001.eqiad.wmnet", fingerprint: csrFingerprint)
/// try await server.verify("mw1001.eqiad.wmnet")
/// try await server.delete("mw1001.eqiad.wmnet")                // `puppet node clean` + `deactivate` (decommission)
/// ```
/// Host names must be FQDN-like (letters, digits, `-`, `.`); they are also single-quoted in the commands.
/// Dry-run: the listing runs for real; sign, clean, node clean/deactivate are skipped by the remote layer.
public struct PuppetServer: Sendable {
    /// The state of a signed certificate.
    public static let signed = "signed"
    /// The state of a certificate request waiting to be signed.
    public static let requested = "requested"

    /// The Puppet CA server (one host).
    public let server: RemoteHosts
    /// Where `puppetserver` and `puppet` are on the server (nil: its PATH).
    public let commandDirectory: String?
    let logger: Logger

    /// Creates the accessor.
    /// - Throws: ``PuppetError`` when `server` is not exactly one host.
    public init(
        server: RemoteHosts, commandDirectory: String? = nil, logger: Logger = Logger(label: "spicerack.puppet")
    ) throws(PuppetError) {
        guard server.count == 1 else {
            throw PuppetError("The server_host instance must target only one host, got \(server.count): \(server)")
        }
        self.server = server
        self.commandDirectory = commandDirectory
        self.logger = logger
    }

    /// Removes the host from the Puppet server and PuppetDB (`puppet node clean`, then `puppet node deactivate`);
    /// nothing fails when it was already removed.
    public func delete(_ hostname: String) async throws(PuppetError) {
        let name = try checked(hostname)
        try await execute(
            [command("puppet") + " node clean " + name, command("puppet") + " node deactivate " + name])
    }

    /// Removes the host's certificate (`puppetserver ca clean --certname`); nothing to do when there is none.
    public func destroy(_ hostname: String) async throws(PuppetError) {
        do throws(PuppetError) {
            _ = try await certificateMetadata(hostname)
        } catch  where error.isCheck {
            logger.info("The certificate for \(hostname) does not exist, nothing to do.")
            return
        } catch {
            throw error
        }
        try await execute([command("puppetserver") + " ca clean --certname " + (try checked(hostname))])
    }

    /// Fails unless the CA holds a signed certificate for the host.
    public func verify(_ hostname: String) async throws(PuppetError) {
        let certificate = try await certificateMetadata(hostname)
        guard certificate.state == Self.signed else {
            throw PuppetError("Expected certificate for \(hostname) to be signed, got: \(certificate.state)")
        }
    }

    /// Signs the host's certificate request after checking it is waiting and has `fingerprint`, then checks that
    /// it is signed.
    public func sign(_ hostname: String, fingerprint: String) async throws(PuppetError) {
        let request = try await certificateMetadata(hostname)
        guard request.state == Self.requested else {
            throw PuppetError("Certificate for \(hostname) not in requested state, got: \(request.state)")
        }
        guard request.fingerprint == fingerprint else {
            throw PuppetError(
                "CSR fingerprint \(request.fingerprint) for \(hostname) does not match provided fingerprint "
                    + fingerprint)
        }
        logger.info("Signing CSR for \(hostname) with fingerprint \(fingerprint)")
        let output = try await execute([command("puppetserver") + " ca sign --certname " + (try checked(hostname))])
        guard !server.dryRun else { return }
        let certificate = try await certificateMetadata(hostname)
        guard certificate.state == Self.signed else {
            if !output.isEmpty { logger.error("\(output)") }
            throw PuppetError("Expected certificate for \(hostname) to be signed, got: \(certificate.state)")
        }
    }

    /// Waits until the host's certificate request reaches the CA: `tries` looks, `delay` growing as powers of 2
    /// (5 s, 10 s, 20 s, ...; one look in dry-run).
    public func waitForCSR(_ hostname: String, tries: Int = 10, delay: Duration = .seconds(5)) async throws(PuppetError)
    {
        do {
            try await retry(
                tries: tries, delay: delay, backoff: .power, retryIf: { ($0 as? PuppetError)?.isCheck == true },
                failureMessage: "Waiting for a CSR of \(hostname)", dryRun: server.dryRun, logger: logger
            ) {
                let state = try await certificateMetadata(hostname).state
                guard state == Self.requested else {
                    throw PuppetError("Expected certificate in requested state, got: \(state)")
                }
            }
        } catch let error as PuppetError {
            throw error
        } catch {
            throw PuppetError("\(error)")
        }
    }

    /// The CA's record of the host (`puppetserver ca list --format json --certname`).
    /// - Throws: ``PuppetError`` with `isCheck` when there is no certificate or request for it; without when the
    ///   answer is not what the CA prints (several results, another name, not JSON).
    public func certificateMetadata(_ hostname: String) async throws(PuppetError) -> PuppetCertificate {
        let command = command("puppetserver") + " ca list --format json --certname " + (try checked(hostname))
        let text = try await jsonOutput(command)
        guard !text.isEmpty else { throw PuppetError("No certificate found for hostname: \(hostname)", isCheck: true) }
        let response: [String: [PuppetCertificate]]
        do {
            response = try JSONDecoder().decode([String: [PuppetCertificate]].self, from: Data(text.utf8))
        } catch {
            throw PuppetError("Unable to parse Puppet server response for command \"\(command)\": \(text.prefix(500))")
        }
        guard response.count == 1, let (kind, entries) = response.first else {
            if response.isEmpty { throw PuppetError("No certificate found for hostname: \(hostname)", isCheck: true) }
            throw PuppetError("Expected one result type from Puppet CA, got \(response.count)")
        }
        if kind == "missing" { throw PuppetError("The puppet server has no CSR for \(hostname)", isCheck: true) }
        guard entries.count == 1, let certificate = entries.first else {
            if entries.isEmpty { throw PuppetError("No certificate found for hostname: \(hostname)", isCheck: true) }
            throw PuppetError("Expected one result from Puppet CA, got \(entries.count)")
        }
        guard certificate.name == hostname else {
            throw PuppetError("Hostname mismatch \(certificate.name) != \(hostname)")
        }
        return certificate
    }

    // MARK: - Helpers

    /// The host name, single-quoted, after checking it looks like an FQDN.
    private func checked(_ hostname: String) throws(PuppetError) -> String {
        let allowed = hostname.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-")
                || $0 == UInt8(ascii: ".")
        }
        guard allowed, (1...253).contains(hostname.utf8.count), !hostname.hasPrefix("-"), !hostname.hasPrefix(".")
        else {
            throw PuppetError("Invalid host name for the Puppet CA: \(hostname.prefix(80).debugDescription)")
        }
        return shellSingleQuoted(hostname)
    }

    private func command(_ name: String) -> String {
        guard let commandDirectory else { return name }
        return shellSingleQuoted(commandDirectory + "/" + name)
    }

    /// The output of a read-only command that prints JSON, also when it exits non-zero (the CA exits 1 for a
    /// missing certificate and still prints its JSON).
    private func jsonOutput(_ command: String) async throws(PuppetError) -> String {
        let results: RemoteResults
        do {
            results = try await server.runSync(
                [Command(command)], isSafe: true, printOutput: false, printProgressBars: false)
        } catch let error as RemoteExecutionError {
            results = error.results
        } catch {
            throw PuppetError("'\(command)' failed on \(server): \(error)")
        }
        guard let group = results.groups.first else {
            throw PuppetError("Got no output from Puppet server while executing command: \(command)")
        }
        return group.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    private func execute(_ commands: [String]) async throws(PuppetError) -> String {
        do {
            let results = try await server.runSync(
                commands.map { Command($0) }, printOutput: false, printProgressBars: false)
            return results.groups.map(\.output).joined(separator: "\n")
        } catch {
            throw PuppetError("'\(commands.joined(separator: "; "))' failed on \(server): \(error)")
        }
    }
}
