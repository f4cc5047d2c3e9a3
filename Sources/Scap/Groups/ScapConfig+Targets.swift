import Foundation

extension ScapConfig {
    /// The directories a relative target-list name is looked for in: `scap/environments/<env>/`, `scap/`, then
    /// `/etc/dsh/group/` (unless `systemGroupDirectory` is `nil`).
    public func targetSearchDirectories(root: String, systemGroupDirectory: String? = "/etc/dsh/group") -> [String] {
        let scap = (root as NSString).appendingPathComponent("scap")
        var directories: [String] = []
        if let environment { directories.append((scap as NSString).appendingPathComponent("environments/\(environment)")) }
        directories.append(scap)
        if let systemGroupDirectory { directories.append(systemGroupDirectory) }
        return directories
    }

    /// The deploy groups in `server_groups` order (so a `canary` group listed first is deployed first).
    ///
    /// A host listed in several groups belongs only to the first; groups left without hosts are dropped.
    /// - Parameters:
    ///   - root: the top of the deploy repository.
    ///   - systemGroupDirectory: the last place to look for target lists, `nil` to skip it.
    /// - Throws: ``ScapConfigError`` when a group has no target-list key, or its file is missing or malformed.
    public func deployGroups(root: String, systemGroupDirectory: String? = "/etc/dsh/group") throws(ScapConfigError)
        -> [DeployGroup]
    {
        let directories = targetSearchDirectories(root: root, systemGroupDirectory: systemGroupDirectory)
        var seen: Set<String> = []
        var groups: [DeployGroup] = []
        for name in serverGroups {
            let key = name == "default" ? "dsh_targets" : "\(name)_dsh_targets"
            guard let file = dshTargets(forGroup: name) else {
                let origin = origins["server_groups"] ?? ConfigOrigin(path: files.last ?? "scap/scap.cfg")
                throw origin.error(
                    key: key, "server group '\(name)' has no target list: set \(key) to a file of hosts")
            }
            let list = try TargetList(named: file, searchDirectories: directories, key: key)
            let hosts = list.hosts.filter { seen.insert($0).inserted }
            guard !hosts.isEmpty else { continue }
            groups.append(
                DeployGroup(
                    name: name, hosts: hosts, targetList: list.path, failureLimit: failureLimit(forGroup: name),
                    groupSize: groupSize(forGroup: name)))
        }
        return groups
    }
}
