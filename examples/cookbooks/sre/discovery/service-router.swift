import Foundation
import Spicerack

/// The seed's ServiceRouter: pool or depool a service in a datacenter through DNS discovery, remembering whether it
/// was pooled so that the rollback restores it.
///
/// The discovery state is conftool's `discovery` objects on etcd (`spicerack.discovery(service)`); run with `-d` to
/// see what it would change.
struct ServiceRouter: Cookbook {
    static let title = "Pool or depool a service in a datacenter (DNS discovery)"

    enum Datacenter: String, ExpressibleByArgument, CaseIterable {
        case eqiad, codfw
    }

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case pool, depool
    }

    struct Arguments: ParsableArguments {
        @Argument(help: "The service (its discovery record), e.g. appservers-ro.")
        var service: String
        @Argument(help: "The datacenter: eqiad or codfw.")
        var datacenter: Datacenter
        @Argument(help: "pool or depool.")
        var action: Action
        @OptionGroup var reason: OptionalReason
    }

    func makeRunner(_ arguments: Arguments, _ spicerack: Spicerack) async throws -> Runner {
        let discovery = try spicerack.discovery(arguments.service)
        // Save the initial state for eventual rollback
        let state = try await discovery.activeDatacenters
        let wasPooled = state[arguments.service, default: []].contains(arguments.datacenter.rawValue)
        return Runner(arguments: arguments, discovery: discovery, wasPooled: wasPooled, spicerack: spicerack)
    }

    struct Runner: CookbookRunner {
        let arguments: Arguments
        let discovery: Discovery
        let wasPooled: Bool
        let spicerack: Spicerack

        var runtimeDescription: String {
            "\(arguments.action.rawValue) service \(arguments.service) in \(arguments.datacenter.rawValue)"
        }

        /// One change per service at a time.
        var lockArguments: LockArguments { LockArguments(suffix: arguments.service, concurrency: 1, ttl: .seconds(600)) }

        func run() async throws -> Int32? {
            if arguments.action == .pool {
                try await discovery.pool(arguments.datacenter.rawValue)
            } else {
                try await discovery.depool(arguments.datacenter.rawValue)
            }
            return nil
        }

        func rollback() async throws {
            if wasPooled {
                try await discovery.pool(arguments.datacenter.rawValue)
            } else {
                try await discovery.depool(arguments.datacenter.rawValue, force: true)
            }
        }
    }
}
