import ArgumentParser
import Scap

/// The options `scap deploy` and `scap backport` share: the configuration they read, how they reach the targets,
/// and the locks they take.
struct DeployingOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Read scap/environments/ENV/ too.")
    var environment: String?

    @Option(name: .customShort("D"), help: "Override a scap.cfg key, as key:value (repeatable).")
    var defines: [String] = []

    @Option(name: .customLong("ssh-config"), help: "An ssh_config file for the connections to the targets.")
    var sshConfig: String?

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for a busy lock.")
    var lockTimeout: Double = 600

    @Option(name: .customLong("global-lock"), help: "The global lock file.")
    var globalLock = DeployLock.defaultGlobalPath
}
