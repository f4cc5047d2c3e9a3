import Foundation

/// scap refuses root: files written on the deploy host (tags, `DEPLOY_HEAD`, logs, locks) would belong to root and
/// break the next deploy of a normal user. It refuses root reached through `sudo` (`SUDO_USER` names the real
/// user); root from the start, as in a container or a CI job, is allowed.
enum RootRefusal {
    /// Why this process must not go on, or `nil` when it may.
    static func reason(
        uid: uid_t = getuid(), environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        guard uid == 0, let user = environment["SUDO_USER"], !user.isEmpty, user != "root" else { return nil }
        return "Scap should not be run as root: run it as \(user), without sudo (it uses sudo itself where needed)"
    }
}
