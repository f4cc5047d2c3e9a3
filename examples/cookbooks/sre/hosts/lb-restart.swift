import Foundation
import Spicerack

/// Rolling restart of a service behind the load balancer: the hosts pooled for it in conftool, a batch at a time,
/// each batch depooled (`pooled: no`) while it restarts and repooled (`pooled: yes`) afterwards, also when the
/// restart fails (Spicerack's `LBRemoteCluster`).
struct LBRestart: Cookbook {
    static let title = "Rolling restart of a pooled service (conftool depool, restart, repool)"

    struct Arguments: ParsableArguments {
        @Argument(help: "The conftool cluster, e.g. appserver.")
        var cluster: String
        @Argument(help: "The conftool service to depool and restart, e.g. nginx.")
        var service: String
        @Option(help: "Only the hosts of this datacenter (a conftool dc).")
        var dc: String?
        @Option(name: .customLong("batch-size"), help: "Hosts depooled and restarted at once.")
        var batchSize = 1
        @Option(
            name: .customLong("restart-command"),
            help: "The restart command; {service} is replaced by the quoted service name. Default: systemctl restart.")
        var restartCommand: String?
        @OptionGroup var reason: OptionalReason

        func validate() throws {
            for (name, value) in [("cluster", cluster), ("service", service), ("dc", dc ?? "x")]
            where value.isEmpty || !value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                throw ValidationError("Invalid \(name) '\(value)': letters, digits, - and _ only")
            }
        }
    }

    func makeRunner(_ arguments: Arguments, _ spicerack: Spicerack) async throws -> Runner {
        var selectors = ["cluster": arguments.cluster, "service": arguments.service]
        if let dc = arguments.dc { selectors["dc"] = dc }
        let nodes = try spicerack.confctl("node")
        let cluster = try await spicerack.remote().queryConfctl(nodes, selectors)
        return Runner(arguments: arguments, cluster: cluster, spicerack: spicerack)
    }

    struct Runner: CookbookRunner {
        let arguments: Arguments
        let cluster: LBRemoteCluster
        let spicerack: Spicerack

        var runtimeDescription: String {
            "rolling restart of \(arguments.service) on \(cluster.hosts.count) hosts (\(cluster.hosts))"
        }

        /// One rolling restart of a given service at a time.
        var lockArguments: LockArguments {
            LockArguments(suffix: arguments.service, concurrency: 1, ttl: .seconds(1800))
        }

        func run() async throws -> Int32? {
            if let template = arguments.restartCommand {
                let command = template.replacingOccurrences(
                    of: "{service}", with: shellSingleQuoted(arguments.service))
                try await cluster.run(
                    [Command(command)], svcToDepool: [arguments.service], batchSize: arguments.batchSize,
                    printProgressBars: false)
            } else {
                try await cluster.restartServices(
                    [arguments.service], svcToDepool: [arguments.service], batchSize: arguments.batchSize)
            }
            spicerack.logger.info("Restarted \(arguments.service) on \(cluster.hosts); every host is pooled again")
            return nil
        }
    }
}
