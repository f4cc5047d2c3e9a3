import ArgumentParser

/// How `scap deploy` and `scap backport` reach the targets: `--transport` and `--persist-connections`, which win
/// over `ssh_transport` and `ssh_persist_connections` of scap.cfg.
struct SSHTransportOptions: ParsableArguments {
    @Option(
        help: """
            How to reach the targets: clustershell (OpenSSH) or native (in-process SSH); default: ssh_transport \
            in scap.cfg, else clustershell.
            """)
    var transport: String?

    @Option(
        name: .customLong("persist-connections"),
        help: ArgumentHelp(
            """
            Keep persistent OpenSSH master connections to the targets for this many idle seconds, reused by the \
            next deploy (default: ssh_persist_connections in scap.cfg, else none); `cumin --close-connections` \
            ends them.
            """, valueName: "seconds"))
    var persistConnections: Int?

    func validate() throws {
        if let persistConnections, !(1...86_400).contains(persistConnections) {
            throw ValidationError("--persist-connections must be between 1 and 86400 seconds")
        }
    }
}
