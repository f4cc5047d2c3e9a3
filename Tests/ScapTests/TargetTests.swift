import Foundation
import Testing

@testable import Scap

@Test func targetListSkipsCommentsAndExpandsRanges() throws {
    let list = try TargetList(
        parsing: """
            # canaries
            scb1001.eqiad.wmnet  # first

            scb[1002-1003].eqiad.wmnet
            scb1001.eqiad.wmnet
            """, path: "targets")
    #expect(list.hosts == ["scb1001.eqiad.wmnet", "scb1002.eqiad.wmnet", "scb1003.eqiad.wmnet"])
}

@Test func badRangeNamesLine() {
    #expect(throws: ScapConfigError.self) { try TargetList(parsing: "a\nhost[3-\n", path: "t") }
    do {
        _ = try TargetList(parsing: "a\nhost[3-\n", path: "t")
    } catch {
        #expect(error.path == "t" && error.line == 2)
    }
}

@Test func groupsInOrderCanaryFirstHostsOnlyOnce() throws {
    let tree = TempTree()
    tree.write(
        "scap/scap.cfg",
        """
        [global]
        git_repo: r
        server_groups: canary, default
        canary_dsh_targets: target-canary
        dsh_targets: targets
        group_size: 2
        failure_limit: 50%
        canary_failure_limit: 0
        """)
    tree.write("scap/target-canary", "scb1001\n")
    tree.write("scap/targets", "scb1001\nscb[1002-1004]\nscb2001\n")
    var loader = ScapConfigLoader(root: tree.root, hostname: "h")
    loader.systemConfigPath = nil
    let groups = try loader.load().deployGroups(root: tree.root, systemGroupDirectory: nil)
    #expect(groups.map(\.name) == ["canary", "default"])
    #expect(groups[0].hosts == ["scb1001"])
    #expect(groups[0].subgroups.map(\.label) == ["canary"])
    #expect(groups[0].allowedFailures == 0)
    #expect(groups[1].hosts == ["scb1002", "scb1003", "scb1004", "scb2001"])
    #expect(groups[1].subgroups.map(\.label) == ["default1", "default2"])
    #expect(groups[1].subgroups[1].hosts == ["scb1004", "scb2001"])
    #expect(groups[1].allowedFailures == 2)
}

@Test func environmentTargetListShadowsScapDirectory() throws {
    let tree = TempTree()
    tree.write("scap/scap.cfg", "[global]\ngit_repo: r\ndsh_targets: targets\n")
    tree.write("scap/environments/beta/scap.cfg", "[global]\n")
    tree.write("scap/targets", "prod1\n")
    tree.write("scap/environments/beta/targets", "beta1\n")
    var loader = ScapConfigLoader(root: tree.root, environment: "beta", hostname: "h")
    loader.systemConfigPath = nil
    let groups = try loader.load().deployGroups(root: tree.root, systemGroupDirectory: nil)
    #expect(groups.map(\.hosts) == [["beta1"]])
}

@Test func missingTargetListAndKeyAreErrors() throws {
    let tree = TempTree()
    tree.write("scap/scap.cfg", "[global]\ngit_repo: r\nserver_groups: canary, default\ndsh_targets: targets\n")
    var loader = ScapConfigLoader(root: tree.root, hostname: "h")
    loader.systemConfigPath = nil
    let config = try loader.load()
    do {
        _ = try config.deployGroups(root: tree.root, systemGroupDirectory: nil)
        Issue.record("expected an error")
    } catch {
        #expect(error.key == "canary_dsh_targets")
        #expect(error.line == 3 && error.section == "global")
    }
    tree.write("scap/scap.cfg", "[global]\ngit_repo: r\ndsh_targets: nowhere\n")
    do {
        _ = try loader.load().deployGroups(root: tree.root, systemGroupDirectory: nil)
        Issue.record("expected an error")
    } catch {
        #expect(error.key == "dsh_targets")
        #expect(error.message.contains("not found"))
    }
}

@Test func failureLimitParsing() {
    #expect(FailureLimit(parsing: "3") == .count(3))
    #expect(FailureLimit(parsing: "25%") == .percent(25))
    #expect(FailureLimit(parsing: "-1") == nil)
    #expect(FailureLimit.percent(25).allowedFailures(groupSize: 10) == 2)
    #expect(FailureLimit.percent(0).allowedFailures(groupSize: 10) == 0)
}
