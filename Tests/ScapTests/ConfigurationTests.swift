import Foundation
import Testing

@testable import Scap

private func loader(_ tree: TempTree, environment: String? = nil, overrides: [String] = [], host: String = "deploy1002.eqiad.wmnet")
    -> ScapConfigLoader
{
    var loader = ScapConfigLoader(root: tree.root, environment: environment, overrides: overrides, hostname: host)
    loader.systemConfigPath = nil
    return loader
}

private func expectError(_ body: () throws(ScapConfigError) -> Void) -> ScapConfigError? {
    do {
        try body()
        Issue.record("expected a ScapConfigError")
        return nil
    } catch {
        return error
    }
}

@Test func defaultsWhenNothingIsSet() throws {
    let tree = TempTree()
    tree.write("scap/scap.cfg", "[global]\ngit_repo: citoid/deploy\n")
    let config = try loader(tree).load()
    #expect(config.gitRepo == "citoid/deploy")
    #expect(config.gitDeployDir == "/srv/deployment")
    #expect(config.gitServer == nil)
    #expect(config.gitScheme == "http")
    #expect(config.serverGroups == ["default"])
    #expect(config.dshTargets(forGroup: "default") == "mediawiki-installation")
    #expect(config.failureLimit == .percent(0))
    #expect(config.batchSize == 80)
    #expect(config.batchSize(forStage: .fetch) == 80)
    #expect(config.groupSize == nil)
    #expect(config.serviceTimeout == 120)
    #expect(config.cacheRevs == 5)
    #expect(config.tagsToKeep == 20)
    #expect(config.performChecks)
    #expect(!config.gitSubmodules && !config.configDeploy && !config.logJSON)
    #expect(config.lockFile == "/var/lock/scap/scap.citoid_deploy.lock")
    #expect(config.umask == 0o002)
    #expect(config.tcpircbotHost == nil && config.tcpircbotPort == 9200)
    #expect(config.udp2logPort == 8420 && config.statsdHost == "127.0.0.1" && config.statsdPort == 2003)
    #expect(config.nrpeDir == "/etc/nagios/nrpe.d")
    #expect(config.secondaryHostSignalFile == "/etc/scap.secondary")
    #expect(!config.sshUser.isEmpty)
    #expect(config.files == [tree.path("scap/scap.cfg")])
}

@Test func typedValuesFromTheSeedConfig() throws {
    let tree = TempTree()
    tree.write(
        "scap/scap.cfg",
        """
        [global]
        git_repo: citoid/deploy
        git_deploy_dir: /srv/deployment
        git_repo_user: deploy-service
        ssh_user: deploy-service
        server_groups: canary, default
        canary_dsh_targets: target-canary
        dsh_targets: targets
        git_submodules: True
        service_name: citoid, zotero=reload:disable-secondary
        service_port: 1970
        lock_file: /tmp/scap.citoid.lock
        failure_limit: 10%
        canary_failure_limit: 0
        group_size: 2
        promote_batch_size: 3
        batch_size: 200
        umask: 022

        [wmnet]
        git_server: tin.eqiad.wmnet
        """)
    let config = try loader(tree).load()
    #expect(config.serverGroups == ["canary", "default"])
    #expect(config.dshTargets(forGroup: "canary") == "target-canary")
    #expect(config.gitSubmodules)
    #expect(config.services == [ServiceSpec(name: "citoid"), ServiceSpec(name: "zotero", action: .reload, disableSecondary: true)])
    #expect(config.servicePort == 1970)
    #expect(config.lockFile == "/tmp/scap.citoid.lock")
    #expect(config.failureLimit(forGroup: "default") == .percent(10))
    #expect(config.failureLimit(forGroup: "canary") == .count(0))
    #expect(config.groupSize(forGroup: "default") == 2)
    #expect(config.batchSize(forStage: .promote) == 3)
    #expect(config.batchSize(forStage: .fetch) == 80, "batch_size is capped at 80")
    let runner = TargetStageRunner.forDeploy(config: config)
    #expect(runner.batchSize == .count(80))
    #expect(runner.stageBatchSizes == [.promote: .count(3)], "the deploy runs promote 3 hosts at a time")
    #expect(config.umask == 0o022)
    #expect(config.gitServer == "tin.eqiad.wmnet")
    #expect(config.origins["git_server"] == ConfigOrigin(path: tree.path("scap/scap.cfg"), section: "wmnet", line: 21))
}

@Test func hostSectionsMostSpecificWins() throws {
    let tree = TempTree()
    tree.write(
        "scap/scap.cfg",
        """
        [global]
        git_repo: r
        cache_revs: 1
        tags_to_keep: 1
        [wmnet]
        cache_revs: 2
        tags_to_keep: 2
        [eqiad.wmnet]
        cache_revs: 3
        [codfw.wmnet]
        tags_to_keep: 9
        """)
    #expect(ScapConfigLoader.sections(forHost: "deploy1002.eqiad.wmnet") == ["global", "wmnet", "eqiad.wmnet", "deploy1002.eqiad.wmnet"])
    let config = try loader(tree).load()
    #expect(config.cacheRevs == 3)
    #expect(config.tagsToKeep == 2)
    let other = try loader(tree, host: "localhost").load()
    #expect(other.cacheRevs == 1)
}

@Test func environmentThenOverridesWin() throws {
    let tree = TempTree()
    tree.write("scap/scap.cfg", "[global]\ngit_repo: r\ncache_revs: 1\ntags_to_keep: 1\nbatch_size: 10\n")
    tree.write("scap/environments/beta/scap.cfg", "[global]\ncache_revs: 2\ntags_to_keep: 2\n")
    let config = try loader(tree, environment: "beta", overrides: ["cache_revs:7", "perform_checks: no"]).load()
    #expect(config.environment == "beta")
    #expect(config.cacheRevs == 7)
    #expect(config.tagsToKeep == 2)
    #expect(config.batchSize == 10)
    #expect(!config.performChecks)
    #expect(config.origins["cache_revs"]?.path == ScapConfigError.commandLinePath)
    #expect(config.files.count == 2)
}

@Test func environmentKeyReentersTheLoader() throws {
    let tree = TempTree()
    tree.write("scap/scap.cfg", "[global]\ngit_repo: r\nenvironment: beta\n")
    tree.write("scap/environments/beta/scap.cfg", "[global]\ncache_revs: 9\n")
    let config = try loader(tree).load()
    #expect(config.environment == "beta")
    #expect(config.cacheRevs == 9)
}

@Test func unknownKeyNamesFileSectionLineAndKey() throws {
    let tree = TempTree()
    let path = tree.write("scap/scap.cfg", "[global]\ngit_repo: r\n\n[eqiad.wmnet]\ncache_rev: 3\n")
    let error = expectError { () throws(ScapConfigError) in _ = try loader(tree).load() }
    #expect(error?.path == path)
    #expect(error?.section == "eqiad.wmnet")
    #expect(error?.line == 5)
    #expect(error?.key == "cache_rev")
    #expect(error?.message.contains("unknown key") == true)
    #expect(error?.message.contains("'cache_revs'") == true)
    #expect(error?.description.hasPrefix("\(path):5: [eqiad.wmnet] key 'cache_rev':") == true)
}

@Test(arguments: [
    ("cache_revs", "five", "non-negative integer"),
    ("git_submodules", "maybe", "boolean"),
    ("failure_limit", "ten", "percentage"),
    ("failure_limit", "120%", "percentage"),
    ("service_port", "70000", "port"),
    ("service_timeout", "-1", "seconds"),
    ("batch_size", "0", "positive integer"),
    ("umask", "999", "octal"),
    ("service_name", "svc=stop", "restart|reload"),
    ("git_binary_manager", "git-annex", "git-fat"),
    ("server_groups", "canary, de fault", "list of names"),
    ("canary_group_size", "x", "positive integer"),
])
func badValueNamesKeyAndExpectation(key: String, value: String, expected: String) throws {
    let tree = TempTree()
    let path = tree.write("scap/scap.cfg", "[global]\ngit_repo: r\n\(key): \(value)\n")
    let error = expectError { () throws(ScapConfigError) in _ = try loader(tree).load() }
    #expect(error?.path == path)
    #expect(error?.section == "global")
    #expect(error?.line == 3)
    #expect(error?.key == key)
    #expect(error?.message.contains(expected) == true)
    #expect(error?.message.contains("'\(value)'") == true)
}

@Test func badEnvironmentFileAndOverrideErrors() throws {
    let tree = TempTree()
    tree.write("scap/scap.cfg", "[global]\ngit_repo: r\n")
    let envPath = tree.write("scap/environments/beta/scap.cfg", "[global]\n\nlock_fil: /tmp/x\n")
    let envError = expectError { () throws(ScapConfigError) in _ = try loader(tree, environment: "beta").load() }
    #expect(envError?.path == envPath && envError?.line == 3 && envError?.key == "lock_fil")

    let missing = expectError { () throws(ScapConfigError) in _ = try loader(tree, environment: "nope").load() }
    #expect(missing?.key == "environment")
    #expect(missing?.message.contains("does not exist") == true)

    let bad = expectError { () throws(ScapConfigError) in _ = try loader(tree, overrides: ["cache_revs:x"]).load() }
    #expect(bad?.path == ScapConfigError.commandLinePath && bad?.key == "cache_revs")
    let unknown = expectError { () throws(ScapConfigError) in _ = try loader(tree, overrides: ["nope:1"]).load() }
    #expect(unknown?.key == "nope" && unknown?.message.contains("unknown key") == true)
    let malformed = expectError { () throws(ScapConfigError) in _ = try loader(tree, overrides: ["cache_revs=1"]).load() }
    #expect(malformed?.message.contains("key:value") == true)
}

@Test func malformedINIGivesLine() throws {
    let tree = TempTree()
    let path = tree.write("scap/scap.cfg", "git_repo: r\n")
    let error = expectError { () throws(ScapConfigError) in _ = try loader(tree).load() }
    #expect(error?.path == path && error?.line == 1)
    #expect(error?.message.contains("[global]") == true)

    let duplicate = tree.write("scap/scap.cfg", "[global]\ngit_repo: r\ngit_repo: s\n")
    let dupError = expectError { () throws(ScapConfigError) in _ = try loader(tree).load() }
    #expect(dupError?.path == duplicate && dupError?.line == 3)
}

@Test func systemFileIgnoresUnknownKeysButLosesToRepo() throws {
    let tree = TempTree()
    let system = tree.write("etc/scap.cfg", "[global]\nstage_dir: /srv/mediawiki-staging\ngit_server: deploy1002\ncache_revs: 4\n")
    tree.write("scap/scap.cfg", "[global]\ngit_repo: r\ncache_revs: 6\n")
    var loader = ScapConfigLoader(root: tree.root, hostname: "h")
    loader.systemConfigPath = system
    let config = try loader.load()
    #expect(config.gitServer == "deploy1002")
    #expect(config.cacheRevs == 6)
}

@Test func validateForDeployRequiresGitRepo() throws {
    let tree = TempTree()
    tree.write("scap/scap.cfg", "[global]\ncache_revs: 1\n")
    let config = try loader(tree).load()
    let error = expectError { () throws(ScapConfigError) in try config.validateForDeploy() }
    #expect(error?.key == "git_repo")
}
