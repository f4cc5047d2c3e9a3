import Spicerack

/// Shows how long each host has been up, grouped by identical values. Safe: it also runs in dry-run.
struct Uptime: SimpleCookbook {
    static let title = "Show the uptime of hosts"

    struct Arguments: ParsableArguments {
        @Argument(help: "Cumin query of the hosts, e.g. 'A:web' or 'D{host[1-3]}'.")
        var query: String
    }

    func run(_ arguments: Arguments, _ spicerack: Spicerack) async throws -> Int32? {
        let hosts = try spicerack.remote().query(arguments.query)
        spicerack.logger.info("Checking the uptime of \(hosts.count) hosts: \(hosts)")
        // Hosts whose uptime reads the same to the minute are shown together, folded.
        var byValue: [String: [String]] = [:]
        for (group, seconds) in try await hosts.uptime(printProgressBars: false) {
            byValue[formatUptime(seconds), default: []].append(contentsOf: group.map(\.description))
        }
        for (value, names) in byValue.sorted(by: { $0.key < $1.key }) {
            let folded = try NodeSet(names.joined(separator: ","))
            spicerack.logger.info("\(folded): up \(value)")
        }
        return nil
    }
}
