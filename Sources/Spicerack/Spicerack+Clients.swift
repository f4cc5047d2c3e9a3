import Foundation
import Logging
import SpicerackClients
import SpicerackRemote
import Wmflib

extension SpicerackError: SpicerackRootError {}

extension Spicerack {
    /// The conftool client of this run, from `instance_params.conftool_config` (default
    /// `/etc/conftool/config.yaml`, with the etcdrc it names) and `instance_params.conftool_schema` (default
    /// `/etc/conftool/schema.yaml`); read-only in dry-run.
    public func conftool() throws(ConftoolError) -> Conftool {
        let parameters = configuration.raw["instance_params"]?.dictionaryValue ?? [:]
        let config = parameters["conftool_config"]?.stringValue ?? "/etc/conftool/config.yaml"
        let schema = parameters["conftool_schema"]?.stringValue ?? "/etc/conftool/schema.yaml"
        return try Conftool(
            configurationPath: config, schemaPath: schema, dryRun: dryRun, logger: Logger(label: "spicerack.confctl"))
    }

    /// The objects of one conftool entity (Spicerack's `spicerack.confctl(entity)`):
    /// ```swift
    /// let nodes = try spicerack.confctl("node")
    /// try await nodes.setAndVerify("pooled", "no", ["dc": "eqiad", "name": "mw1001"])
    /// ```
    public func confctl(_ entity: String) throws(ConftoolError) -> ConftoolEntity {
        try conftool().entity(entity)
    }

    /// The authoritative DNS servers, host name → address (`IP` or `IP:port`), from
    /// `<spicerack_config_dir>/discovery/authdns.yaml`; none when the file does not exist (then only the DNS
    /// checks of ``discovery(_:)`` fail, saying so).
    public var authdnsServers: [String: String] {
        get throws(SpicerackError) {
            let path = configuration.spicerackConfigDirectory + "/discovery/authdns.yaml"
            guard FileManager.default.fileExists(atPath: path) else { return [:] }
            do {
                return try loadYAMLConfig(path).compactMapValues { $0.stringValue ?? $0.intValue.map(String.init) }
            } catch {
                throw SpicerackError("Unable to load the authoritative DNS servers: \(error.message)")
            }
        }
    }

    /// DNS discovery for `records` (Spicerack's `spicerack.discovery(*records)`), on conftool's `discovery`
    /// entity and the servers of ``authdnsServers``:
    /// ```swift
    /// let discovery = try spicerack.discovery("appservers-ro")
    /// let pooled = try await discovery.activeDatacenters["appservers-ro", default: []]
    /// ```
    public func discovery(_ records: String...) throws -> Discovery {
        try Discovery(
            conftool: confctl("discovery"), authdnsServers: authdnsServers, records: records, dryRun: dryRun,
            logger: Logger(label: "spicerack.dnsdisc"))
    }

    /// Alertmanager (Spicerack's `spicerack.alertmanager(instance_name)`), from
    /// `<spicerack_config_dir>/alertmanager/config.yaml`:
    /// ```yaml
    /// default_instance: production
    /// instances:
    ///   production:
    ///     urls: [http://alertmanager1001:9093, http://alertmanager2001:9093]
    ///     http_username: spicerack      # optional
    ///     http_password: secret
    /// ```
    public func alertmanager(instance: String = "") throws -> Alertmanager {
        let path = configuration.spicerackConfigDirectory + "/alertmanager/config.yaml"
        let raw: [String: YAMLValue]
        do {
            raw = try loadYAMLConfig(path)
        } catch {
            throw SpicerackError("Unable to load the Alertmanager configuration: \(error.message)")
        }
        let name = instance.isEmpty ? (raw["default_instance"]?.stringValue ?? "") : instance
        guard !name.isEmpty else {
            throw SpicerackError("An alertmanager instance name must be specified when no default is set in \(path)")
        }
        guard let settings = raw["instances"]?[name] else {
            throw SpicerackError("No such alertmanager instance '\(name)' found in \(path)")
        }
        return try Alertmanager(
            urls: settings["urls"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            // Alertmanager answers 500 for an unknown silence: not worth retrying (as Spicerack).
            client: HTTPClient(
                name: "spicerack.alertmanager", dryRun: dryRun, logger: Logger(label: "spicerack.http"),
                timeout: .seconds(2), retryPolicy: HTTPRetryPolicy(statuses: [429, 502, 503, 504])),
            username: settings["http_username"]?.stringValue, password: settings["http_password"]?.stringValue,
            logger: Logger(label: "spicerack.alertmanager"))
    }

    /// Silences for hosts (Spicerack's `spicerack.alertmanager_hosts(targets)`):
    /// ```swift
    /// try await spicerack.alertmanagerHosts(["mw1001"]).downtimed(reason) { ... }
    /// ```
    public func alertmanagerHosts(_ hosts: [String], verbatimHosts: Bool = false, instance: String = "") throws
        -> AlertmanagerHosts
    {
        try alertmanager(instance: instance).hosts(hosts, verbatimHosts: verbatimHosts)
    }

    /// Puppet on `hosts` (Spicerack's `spicerack.puppet(remote_hosts)`). `<spicerack_config_dir>/puppet/config.yaml`
    /// may set `command_directory` (where `disable-puppet`, `enable-puppet`, `run-puppet-agent` are; the hosts'
    /// PATH otherwise) and `common_script` (`puppet-common.sh`).
    public func puppet(_ hosts: RemoteHosts) -> PuppetHosts {
        let path = configuration.spicerackConfigDirectory + "/puppet/config.yaml"
        let raw = (try? loadYAMLConfig(path, raises: false)) ?? [:]
        return PuppetHosts(
            hosts: hosts, commandDirectory: raw["command_directory"]?.stringValue,
            commonScript: raw["common_script"]?.stringValue ?? PuppetHosts.defaultCommonScript,
            logger: Logger(label: "spicerack.puppet"))
    }

    /// The Puppet CA server (Spicerack's `spicerack.puppet_server()`): `puppet/config.yaml` in the Spicerack
    /// configuration directory names it as `ca_server` (a host the remote layer reaches) and may set
    /// `command_directory` (where `puppetserver` and `puppet` are; the host's PATH otherwise).
    /// - Throws: ``PuppetError`` when `ca_server` is not set or does not match one host.
    public func puppetServer() throws -> PuppetServer {
        let path = configuration.spicerackConfigDirectory + "/puppet/config.yaml"
        let raw = (try? loadYAMLConfig(path, raises: false)) ?? [:]
        guard let host = raw["ca_server"]?.stringValue, !host.isEmpty else {
            throw PuppetError("No Puppet CA server configured: set ca_server in \(path)")
        }
        return try PuppetServer(
            server: try remote().query("D{\(host)}"), commandDirectory: raw["command_directory"]?.stringValue,
            logger: Logger(label: "spicerack.puppet"))
    }
}
