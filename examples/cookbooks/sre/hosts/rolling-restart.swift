import Foundation
import Spicerack

/// Restarts a service on hosts a few at a time, checking each batch, and stops at the first batch that fails.
struct RollingRestart: Cookbook {
    static let title = "Rolling restart of a service, in batches"

    struct Arguments: ParsableArguments {
        @Argument(help: "Cumin query of the hosts.")
        var query: String
        @Argument(help: "The service to restart.")
        var service: String
        @Option(name: .customLong("batch-size"), help: "Hosts restarted at once.")
        var batchSize = 1
        @Option(name: .customLong("batch-sleep"), help: "Seconds to wait between hosts.")
        var batchSleep = 0.0
        @Option(
            name: .customLong("restart-command"),
            help: "The restart command; {service} is replaced by the service name.")
        var restartCommand = "systemctl restart {service}"
        @Option(
            name: .customLong("check-command"),
            help: "A command that succeeds when the service is healthy; {service} is replaced.")
        var checkCommand = "systemctl is-active {service}"
        @OptionGroup var reason: OptionalReason
        @OptionGroup var task: OptionalTaskID

        func validate() throws {
            guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
            guard batchSleep >= 0 else { throw ValidationError("--batch-sleep cannot be negative") }
        }
    }

    func makeRunner(_ arguments: Arguments, _ spicerack: Spicerack) async throws -> Runner {
        let hosts = try spicerack.remote().query(arguments.query)
        return Runner(arguments: arguments, hosts: hosts, spicerack: spicerack)
    }

    struct Runner: CookbookRunner {
        let arguments: Arguments
        let hosts: RemoteHosts
        let spicerack: Spicerack

        var runtimeDescription: String {
            var text = "restart \(arguments.service) on \(hosts.count) hosts (\(hosts))"
            if let reason = arguments.reason.reason { text += ": \(reason)" }
            if !arguments.task.taskID.isEmpty { text += " (\(arguments.task.taskID))" }
            return text
        }

        /// One rolling restart of a given service at a time.
        var lockArguments: LockArguments {
            LockArguments(suffix: arguments.service, concurrency: 1, ttl: .seconds(1800))
        }

        func run() async throws -> Int32? {
            let restart = arguments.restartCommand.replacingOccurrences(of: "{service}", with: arguments.service)
            let check = arguments.checkCommand.replacingOccurrences(of: "{service}", with: arguments.service)
            for (number, batch) in hosts.split(into: (hosts.count + arguments.batchSize - 1) / arguments.batchSize)
                .enumerated()
            {
                spicerack.logger.info("Batch \(number + 1): restarting \(arguments.service) on \(batch)")
                try await batch.runSync(
                    restart, check, batchSleep: .milliseconds(Int(arguments.batchSleep * 1000)),
                    printProgressBars: false)
                spicerack.recordActions { $0[batch.description].success("Restarted \(arguments.service)") }
            }
            spicerack.logger.info("Restarted \(arguments.service) on \(hosts)")
            return nil
        }

        func rollback() async throws {
            spicerack.logger.warning(
                "The rolling restart of \(arguments.service) stopped; hosts after the failed batch were not touched:\n\(spicerack.actions)")
        }
    }
}
