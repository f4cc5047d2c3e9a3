import Cumin
import Foundation
import Logging
import NodeSet
import OpsSupport
import Wmflib

extension RemoteHosts {
    /// The time since boot of every host (`cat /proc/uptime`, run even in dry-run mode since it changes nothing).
    ///
    /// Nothing is printed but the progress bars. Hosts with the same uptime share an entry; in dry-run mode hosts
    /// where the command failed are left out.
    /// - Parameter printProgressBars: draw PASS/FAIL bars when standard error is a terminal.
    /// - Returns: the hosts and their uptime in seconds.
    /// - Throws: ``RemoteExecutionError`` when the command fails on a host, ``RemoteError`` naming the hosts whose
    ///   `/proc/uptime` cannot be parsed.
    public func uptime(printProgressBars: Bool = true) async throws -> [(hosts: NodeSet, seconds: Double)] {
        let results = try await runSync(
            [Command("cat /proc/uptime", timeout: .seconds(10))], isSafe: true, printOutput: false,
            printProgressBars: printProgressBars)
        var order: [String] = []
        var hostsByOutput: [String: [String]] = [:]
        for host in results.hosts {
            guard let result = host.results.first, result.exitCode == 0 else { continue }
            let output = result.stdoutText
            if hostsByOutput[output] == nil { order.append(output) }
            hostsByOutput[output, default: []].append(host.name)
        }
        var uptimes: [(hosts: NodeSet, seconds: Double)] = []
        for output in order {
            let nodes = NodeSet(nodes: hostsByOutput[output] ?? [])
            guard let seconds = Self.parseUptime(output) else {
                let shown = output.count > 80 ? String(output.prefix(80)) + "..." : output
                throw RemoteError(
                    "Unable to parse the uptime of \(nodes) from \(shown.debugDescription): expected the content of "
                        + "/proc/uptime, '<seconds since boot> <idle seconds>'",
                    hosts: nodes)
            }
            uptimes.append((nodes, seconds))
        }
        return uptimes
    }

    /// Reboots the hosts in batches, with a pause between batches (Spicerack's `reboot`).
    ///
    /// The command (WMF's `reboot-host` helper by default) has 30 seconds to return on each host. In dry-run mode
    /// nothing is run. Follow it with ``waitRebootSince(_:tries:delay:printProgressBars:)``.
    /// - Parameters:
    ///   - batchSize: how many hosts reboot at once.
    ///   - batchSleep: the pause after a host's command returns before the next host starts; none for one host.
    ///   - command: the reboot command.
    /// - Throws: ``RemoteError`` when `batchSize` is not positive, ``RemoteExecutionError`` when the command fails.
    public func reboot(batchSize: Int = 1, batchSleep: Duration = .seconds(180), command: String = "reboot-host")
        async throws
    {
        guard batchSize > 0 else {
            throw RemoteError(
                "The reboot batch size must be a positive number of hosts, got \(batchSize)", hosts: hosts)
        }
        let sleep = count == 1 ? Duration.zero : batchSleep
        let seconds = String(format: "%.1f", sleep.inSeconds)
        logger.info(
            "Rebooting \(count) hosts in batches of \(batchSize) with \(seconds)s of sleep in between: \(hosts)")
        try await runSync([Command(command, timeout: .seconds(30))], batchSize: .count(batchSize), batchSleep: sleep)
    }

    /// Waits until every host has booted after `since`, polling the uptime (Spicerack's `wait_reboot_since`).
    ///
    /// Each attempt reads the uptimes; a host has rebooted when its uptime is shorter than the time elapsed since
    /// `since`. An attempt fails while a host has not rebooted or its uptime cannot be read (e.g. it is still
    /// booting), and is retried with a constant delay (Wmflib's `retry`), 240 × 10 s (40 minutes) by default.
    /// In dry-run mode there is one attempt, and a reboot that is not found is only logged:
    /// `Reboot for <hosts> not found - expected in dry run mode`.
    /// - Parameters:
    ///   - since: the moment before the reboot was requested.
    ///   - tries: how many times to check at most.
    ///   - delay: the pause between checks.
    ///   - printProgressBars: draw PASS/FAIL bars when standard error is a terminal.
    /// - Throws: ``RemoteCheckError`` naming the hosts whose reboot was not seen by the last try, `WmflibError`
    ///   when `tries` is below 1.
    public func waitRebootSince(
        _ since: Date, tries: Int = 240, delay: Duration = .seconds(10), printProgressBars: Bool = true
    ) async throws {
        do {
            try await retry(
                tries: tries, delay: delay, backoff: .constant, retryIf: { $0 is RemoteCheckError },
                failureMessage: "Attempt to run 'SpicerackRemote.RemoteHosts.waitRebootSince' raised", dryRun: dryRun,
                logger: logger
            ) {
                try await checkRebootedSince(since, printProgressBars: printProgressBars)
            }
        } catch let error as RemoteCheckError where dryRun {
            logger.info("\(error.message) - expected in dry run mode")
        }
    }

    /// Throws a ``RemoteCheckError`` unless every host's uptime is shorter than the time elapsed since `since`.
    private func checkRebootedSince(_ since: Date, printProgressBars: Bool) async throws {
        let elapsed = Date().timeIntervalSince(since)
        let uptimes: [(hosts: NodeSet, seconds: Double)]
        do {
            uptimes = try await uptime(printProgressBars: printProgressBars)
        } catch let error as RemoteExecutionError {
            throw RemoteCheckError(
                "Reboot for \(hosts) not found", hosts: hosts,
                details: ["Unable to get uptime for \(error.failedHosts): \(error.message)"])
        } catch let error as RemoteError {
            throw RemoteCheckError("Reboot for \(hosts) not found", hosts: hosts, details: [error.message])
        }
        var missing = hosts
        var details: [String] = []
        for (nodes, seconds) in uptimes {
            if seconds < elapsed {
                missing.subtract(nodes)
            } else {
                details.append(
                    "Uptime for \(nodes) higher than threshold: \(String(format: "%.2f", seconds)) > "
                        + String(format: "%.2f", elapsed))
            }
        }
        let unread = hosts.subtracting(NodeSet(nodes: uptimes.flatMap { $0.hosts.nodes }))
        if !unread.isEmpty { details.append("Unable to get uptime for \(unread)") }
        guard missing.isEmpty else {
            throw RemoteCheckError("Reboot for \(missing) not found", hosts: missing, details: details)
        }
        logger.info("Found reboot since \(since.formatted(.iso8601)) for hosts \(hosts)")
    }

    /// The first field of `/proc/uptime`: seconds since boot, finite and not negative.
    static func parseUptime(_ output: String) -> Double? {
        guard let field = output.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).first,
            let seconds = Double(field), seconds.isFinite, seconds >= 0
        else { return nil }
        return seconds
    }
}
