import Foundation
import Spicerack
import Synchronization

/// Restarts a service on hosts a few at a time and checks each batch after its restart.
///
/// When a batch fails (its restart or its check), the run stops there: the rollback runs `--rollback-command` on
/// that batch to restore it, and the hosts after it are not touched. Exit codes: 0 every batch was restarted and
/// is healthy; 1 a batch failed and was restored (93 when the restore itself failed).
struct RollingRestart: Cookbook {
    static let title = "Rolling restart of a service, in batches; a failed batch is restored"

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
        @Option(
            name: .customLong("rollback-command"),
            help: "Run on a failed batch to restore it; {service} is replaced.")
        var rollbackCommand = "systemctl start {service}"
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

    /// The batch that failed, kept by `run()` for `rollback()`.
    final class FailedBatch: Sendable {
        let hosts = Mutex<RemoteHosts?>(nil)
    }

    struct Runner: CookbookRunner {
        let arguments: Arguments
        let hosts: RemoteHosts
        let spicerack: Spicerack
        let failed = FailedBatch()

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

        func command(_ template: String) -> String {
            template.replacingOccurrences(of: "{service}", with: arguments.service)
        }

        func run() async throws -> Int32? {
            let restart = command(arguments.restartCommand)
            let check = command(arguments.checkCommand)
            let batches = hosts.split(into: (hosts.count + arguments.batchSize - 1) / arguments.batchSize)
            for (number, batch) in batches.enumerated() {
                spicerack.logger.info("Batch \(number + 1): restarting \(arguments.service) on \(batch)")
                do {
                    try await batch.runSync(
                        restart, check, batchSleep: .milliseconds(Int(arguments.batchSleep * 1000)),
                        printProgressBars: false)
                } catch let error as RemoteExecutionError {
                    failed.hosts.withLock { $0 = batch }
                    spicerack.recordActions { $0[batch.description].failure("Restart or check failed: \(error)") }
                    spicerack.logger.error("Batch \(number + 1) failed on \(batch): \(error)")
                    return 1
                }
                spicerack.recordActions { $0[batch.description].success("Restarted \(arguments.service)") }
            }
            spicerack.logger.info("Restarted \(arguments.service) on \(hosts)")
            return nil
        }

        func rollback() async throws {
            guard let batch = failed.hosts.withLock({ $0 }) else {
                spicerack.logger.warning("The rolling restart of \(arguments.service) stopped before any batch failed")
                return
            }
            let restore = command(arguments.rollbackCommand)
            spicerack.logger.warning("Restoring the failed batch \(batch): \(restore)")
            try await batch.runSync(restore, printProgressBars: false)
            spicerack.recordActions { $0[batch.description].warning("Restored with: \(restore)") }
            spicerack.logger.warning(
                "The rolling restart of \(arguments.service) stopped; hosts after the failed batch were not touched:\n\(spicerack.actions)"
            )
        }
    }
}
