import Cumin
import Foundation
import Logging
import NodeSet
import SpicerackRemote
import Wmflib

/// Puppet on a set of hosts (Spicerack's `PuppetHosts`), through Wikimedia's helper commands on the hosts:
/// `disable-puppet`, `enable-puppet`, `run-puppet-agent` and the `puppet-common.sh` shell library.
///
/// ```swift
/// let puppet = spicerack.puppet(try spicerack.remote().query("A:mw-eqiad"))
/// let reason = try spicerack.adminReason("Upgrading nginx")
/// try await puppet.disabled(reason) {               // enabled again afterwards, even when this throws
///     try await hosts.runSync("apt-get install -y nginx")
/// }
/// let start = Date()
/// try await puppet.run(quiet: true, attempts: 10)
/// try await puppet.waitSince(start)
/// ```
/// The reason is passed single-quoted, so no character of it reaches the shell. Dry-run: disable, enable and run are
/// skipped by the remote layer (logged); the checks run for real.
public struct PuppetHosts: Sendable {
    /// The shell library with `last_run_success`, `PUPPET_SUMMARY` and `PUPPET_DISABLEDLOCK`.
    public static let defaultCommonScript = "/usr/local/share/bash/puppet-common.sh"

    /// The hosts.
    public let hosts: RemoteHosts
    /// Where the helper commands are (nil: found on the hosts' PATH), e.g. `/usr/local/sbin`.
    public let commandDirectory: String?
    /// The path of `puppet-common.sh` on the hosts.
    public let commonScript: String
    let logger: Logger

    /// Creates the accessor.
    /// - Parameters:
    ///   - commandDirectory: an absolute directory holding the helper commands, instead of the PATH.
    ///   - commonScript: the path of `puppet-common.sh` on the hosts.
    public init(
        hosts: RemoteHosts, commandDirectory: String? = nil, commonScript: String = PuppetHosts.defaultCommonScript,
        logger: Logger = Logger(label: "spicerack.puppet")
    ) {
        self.hosts = hosts
        self.commandDirectory = commandDirectory
        self.commonScript = commonScript
        self.logger = logger
    }

    /// Disables Puppet with the reason (`disable-puppet '<reason>'`).
    public func disable(_ reason: Reason, verbatimReason: Bool = false) async throws(PuppetError) {
        try await execute(command("disable-puppet") + " " + quoted(reason, verbatim: verbatimReason))
    }

    /// Enables Puppet if it was disabled with the same reason (`enable-puppet '<reason>'`).
    public func enable(_ reason: Reason, verbatimReason: Bool = false) async throws(PuppetError) {
        try await execute(command("enable-puppet") + " " + quoted(reason, verbatim: verbatimReason))
    }

    /// Disables Puppet, runs `body`, and enables Puppet again on every way out (return, error, cancellation).
    public func disabled<T: Sendable>(_ reason: Reason, verbatimReason: Bool = false, _ body: () async throws -> T)
        async throws -> T
    {
        try await disable(reason, verbatimReason: verbatimReason)
        let enable: @Sendable () async throws -> Void = { [self] in
            try await Task { try await self.enable(reason, verbatimReason: verbatimReason) }.value
        }
        let result: T
        do {
            result = try await body()
        } catch {
            do { try await enable() } catch let failure { logger.error("Unable to enable Puppet again: \(failure)") }
            throw error
        }
        try await enable()
        return result
    }

    /// Runs the Puppet agent (`run-puppet-agent [--enable '<reason>'] [--quiet] [--failed-only] [--force]
    /// [--attempts N]`), `batchSize` hosts at a time.
    public func run(
        timeout: Duration = .seconds(300), enableReason: Reason? = nil, quiet: Bool = false, failedOnly: Bool = false,
        force: Bool = false, attempts: Int = 0, batchSize: Int = 10
    ) async throws(PuppetError) {
        var arguments: [String] = []
        if let enableReason { arguments += ["--enable", quoted(enableReason, verbatim: false)] }
        if quiet { arguments.append("--quiet") }
        if failedOnly { arguments.append("--failed-only") }
        if force { arguments.append("--force") }
        if attempts > 0 { arguments += ["--attempts", String(attempts)] }
        let argumentText = arguments.joined(separator: " ")
        logger.info("Running Puppet with args '\(argumentText)' on \(hosts.count) hosts: \(hosts)")
        try await execute(
            Command(([command("run-puppet-agent")] + arguments).joined(separator: " "), timeout: timeout),
            batchSize: .count(max(batchSize, 1)))
    }

    /// The time of the last successful Puppet run of each host (hosts without one are absent).
    public func lastRun() async throws(PuppetError) -> [String: Date] {
        // Always succeeds: a host without a successful run prints nothing.
        let script =
            "{ source \(shellSingleQuoted(commonScript)) && last_run_success && "
            + #"awk '/last_run/ { print $2 }' "${PUPPET_SUMMARY}"; } || true"#
        let results: RemoteResults
        do {
            results = try await hosts.runSync(
                [Command("bash -c " + shellSingleQuoted(script))], successThreshold: 0, isSafe: true,
                printOutput: false, printProgressBars: false)
        } catch {
            throw PuppetError("Unable to read the last Puppet run on \(hosts): \(error)", isCheck: true)
        }
        var runs: [String: Date] = [:]
        for group in results {
            guard let seconds = TimeInterval(group.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                continue
            }
            for host in group.hosts.nodes { runs[host] = Date(timeIntervalSince1970: seconds) }
        }
        return runs
    }

    /// Waits until every host has a successful Puppet run after `start`, polling `tries` times `delay` apart
    /// (linear backoff, as Spicerack: 30 s, 60 s, ...; one try in dry-run).
    public func waitSince(_ start: Date, tries: Int = 60, delay: Duration = .seconds(30)) async throws(PuppetError) {
        logger.debug("Polling the completion of a successful Puppet run")
        do {
            try await retry(
                tries: tries, delay: delay, backoff: .linear, retryIf: { ($0 as? PuppetError)?.isCheck == true },
                failureMessage: "Waiting for a successful Puppet run", dryRun: hosts.dryRun, logger: logger
            ) {
                let runs = try await lastRun()
                let late = hosts.hosts.nodes.filter { host in runs[host].map { $0 <= start } ?? true }
                guard late.isEmpty else {
                    throw PuppetError(
                        "Unable to get a successful Puppet run after \(start) from: \(NodeSet(nodes: late))",
                        isCheck: true)
                }
            }
        } catch let error as PuppetError {
            throw error
        } catch {
            throw PuppetError("\(error)")
        }
        logger.info("Successful Puppet run found")
    }

    /// Fails naming the hosts where Puppet is disabled.
    public func checkEnabled() async throws(PuppetError) {
        let disabled = try await disabledHosts()
        if !disabled.isEmpty { throw PuppetError("Puppet is not enabled on those hosts: \(disabled)", isCheck: true) }
    }

    /// Fails naming the hosts where Puppet is enabled.
    public func checkDisabled() async throws(PuppetError) {
        let disabled = try await disabledHosts()
        let enabled = hosts.hosts.subtracting(disabled)
        if !enabled.isEmpty { throw PuppetError("Puppet is not disabled on those hosts: \(enabled)", isCheck: true) }
    }

    // MARK: - Helpers

    private func disabledHosts() async throws(PuppetError) -> NodeSet {
        let script =
            "source \(shellSingleQuoted(commonScript)) && test -f \"${PUPPET_DISABLEDLOCK}\" && echo 1 || echo 0"
        let results: RemoteResults
        do {
            results = try await hosts.runSync(
                [Command("bash -c " + shellSingleQuoted(script))], isSafe: true, printOutput: false,
                printProgressBars: false)
        } catch {
            throw PuppetError("Unable to check whether Puppet is disabled on \(hosts): \(error)")
        }
        var disabled: [String] = []
        for group in results where group.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1" {
            disabled += group.hosts.nodes
        }
        return NodeSet(nodes: disabled)
    }

    private func command(_ name: String) -> String {
        guard let commandDirectory else { return name }
        return shellSingleQuoted(commandDirectory + "/" + name)
    }

    private func quoted(_ reason: Reason, verbatim: Bool) -> String {
        shellSingleQuoted(verbatim ? reason.reason : reason.description)
    }

    private func execute(_ command: String) async throws(PuppetError) {
        try await execute(Command(command), batchSize: nil)
    }

    private func execute(_ command: Command, batchSize: BatchSize?) async throws(PuppetError) {
        do {
            try await hosts.runSync([command], batchSize: batchSize, printProgressBars: false)
        } catch {
            throw PuppetError("'\(command.command)' failed on \(hosts): \(error)")
        }
    }
}
