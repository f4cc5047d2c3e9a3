import Foundation
import Spicerack

/// The seed's ServiceRouter: pool or depool a service in a datacenter, remembering the state for the rollback.
///
/// The discovery state lives on the DNS hosts in `/srv/discovery/<service>/<datacenter>` (`pooled` or `depooled`;
/// missing means pooled), so the example runs anywhere cumin reaches, the local test bed included.
struct ServiceRouter: Cookbook {
    static let title = "Pool or depool a service in a datacenter (DNS discovery)"

    enum Datacenter: String, ExpressibleByArgument, CaseIterable {
        case eqiad, codfw
    }

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case pool, depool
    }

    struct Arguments: ParsableArguments {
        @Argument(help: "The service, e.g. appservers-ro.")
        var service: String
        @Argument(help: "The datacenter: eqiad or codfw.")
        var datacenter: Datacenter
        @Argument(help: "pool or depool.")
        var action: Action
        @Option(name: .customLong("dns-hosts"), help: "Cumin query of the hosts holding the discovery state.")
        var dnsHosts = "A:dns"
        @OptionGroup var reason: OptionalReason

        func validate() throws {
            guard service.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), !service.isEmpty else {
                throw ValidationError("Invalid service name '\(service)': letters, digits, - and _ only")
            }
        }
    }

    func makeRunner(_ arguments: Arguments, _ spicerack: Spicerack) async throws -> Runner {
        let hosts = try spicerack.remote().query(arguments.dnsHosts)
        let path = "/srv/discovery/\(arguments.service)/\(arguments.datacenter.rawValue)"
        // Read the current state (safe: also in dry-run) to restore it on rollback.
        let results = try await hosts.runSync(
            "cat \(path) 2>/dev/null || echo pooled", isSafe: true, printOutput: false, printProgressBars: false)
        let states = Set(
            results.hosts.map { host in
                String(decoding: host.results.first?.stdout ?? [], as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            })
        guard states.count <= 1 else {
            throw SpicerackError("The DNS hosts disagree on \(path): \(states.sorted()); fix them before routing")
        }
        let wasPooled = (states.first ?? "pooled") == "pooled"
        if wasPooled == (arguments.action == .pool) {
            throw CookbookInitSuccess(
                "\(arguments.service) is already \(wasPooled ? "pooled" : "depooled") in \(arguments.datacenter.rawValue), nothing to do")
        }
        return Runner(arguments: arguments, hosts: hosts, path: path, wasPooled: wasPooled, spicerack: spicerack)
    }

    struct Runner: CookbookRunner {
        let arguments: Arguments
        let hosts: RemoteHosts
        let path: String
        let wasPooled: Bool
        let spicerack: Spicerack

        var runtimeDescription: String {
            "\(arguments.action.rawValue) service \(arguments.service) in \(arguments.datacenter.rawValue)"
        }

        /// One change per service at a time.
        var lockArguments: LockArguments { LockArguments(suffix: arguments.service, concurrency: 1, ttl: .seconds(600)) }

        func run() async throws -> Int32? {
            try await write(arguments.action == .pool ? "pooled" : "depooled")
            return nil
        }

        func rollback() async throws {
            spicerack.logger.info("Restoring \(path) to \(wasPooled ? "pooled" : "depooled")")
            try await write(wasPooled ? "pooled" : "depooled")
        }

        private func write(_ state: String) async throws {
            let directory = (path as NSString).deletingLastPathComponent
            try await hosts.runSync(
                "mkdir -p \(directory) && echo \(state) > \(path)", printProgressBars: false)
        }
    }
}
