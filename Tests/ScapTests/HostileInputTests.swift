import Cumin
import Foundation
import Testing

@testable import Scap

/// Names, paths and messages that come from files or users must never become options, shell code or a path
/// outside their tree.
@Suite struct HostileInputTests {
    /// A target-list line that ssh would read as an option is refused with the file and line.
    @Test func targetListRefusesOptionLikeHosts() throws {
        let tree = TempTree()
        let path = tree.write("scap/targets", "host1\n-oProxyCommand=/tmp/x.sh\n")
        var caught: ScapConfigError?
        do {
            _ = try TargetList(named: "targets", searchDirectories: [tree.path("scap")], key: "dsh_targets")
        } catch {
            caught = error
        }
        #expect(caught?.path == path)
        #expect(caught?.line == 2)
        #expect(caught?.message.contains("starts with '-'") == true, "\(String(describing: caught))")
        // A NodeSet line that expands to such a name is refused too.
        #expect(throws: ScapConfigError.self) { try TargetList(parsing: "ok\n-o[1-2]x\n", path: "t") }
    }

    /// `service_name` takes systemd unit characters only: a `-D` override cannot smuggle shell code.
    @Test func serviceNameWithShellSyntaxIsRefused() throws {
        let tree = TempTree()
        tree.write("scap/scap.cfg", "[global]\ngit_repo: r\n")
        for bad in ["foo;touch${IFS}/srv/pwn;false", "a$(id)", "-x", "a b", "a'b", "a\\b"] {
            var loader = ScapConfigLoader(root: tree.root, overrides: ["service_name:\(bad)"])
            loader.systemConfigPath = nil
            #expect(throws: ScapConfigError.self, "\(bad)") { try loader.load() }
        }
        var loader = ScapConfigLoader(root: tree.root, overrides: ["service_name:php7.4-fpm, getty@tty1=reload"])
        loader.systemConfigPath = nil
        #expect(try loader.load().services.map(\.name) == ["php7.4-fpm", "getty@tty1"])
        // A name built in code is quoted when it is put in the restart command.
        #expect(ServiceName.shellWord("x;id") == "'x;id'")
        #expect(ServiceName.shellWord("mathoid") == "mathoid")
    }

    /// A committed symbolic link in `scap/templates` or for `vars.yaml` used to ship a deploy-host file.
    @Test func templatesAndVarsThatLeadOutOfScapAreRefused() throws {
        let tree = TempTree()
        let secret = tree.write("outside/secret", "password=hunter2\n")
        tree.write("scap/config-files.yaml", "/srv/etc/t.conf:\n  template: t.j2\n")
        try FileManager.default.createDirectory(atPath: tree.path("scap/templates"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: tree.path("scap/templates/t.j2"), withDestinationPath: secret)
        var caught: ConfigDeployError?
        do {
            let files = try ConfigRenderer(root: tree.root).render()
            Issue.record("rendered \(files.map(\.content))")
        } catch {
            caught = error
        }
        #expect(caught?.path == tree.path("scap/templates/t.j2"), "\(String(describing: caught))")
        #expect(caught?.message.contains("outside") == true)

        // A template inside scap/ reached through a link that stays inside is fine.
        tree.write("scap/templates/real.j2", "ok {{ x }}\n")
        try FileManager.default.removeItem(atPath: tree.path("scap/templates/t.j2"))
        try FileManager.default.createSymbolicLink(
            atPath: tree.path("scap/templates/t.j2"), withDestinationPath: tree.path("scap/templates/real.j2"))
        tree.write("scap/vars.yaml", "x: 1\n")
        #expect(try ConfigRenderer(root: tree.root).render().map(\.content) == ["ok 1\n"])

        // vars.yaml leading out of scap/ is refused the same way.
        try FileManager.default.removeItem(atPath: tree.path("scap/vars.yaml"))
        let outsideVars = tree.write("outside/vars.yaml", "x: secret\n")
        try FileManager.default.createSymbolicLink(atPath: tree.path("scap/vars.yaml"), withDestinationPath: outsideVars)
        #expect {
            _ = try ConfigRenderer(root: tree.root).render()
        } throws: { error in
            (error as? ConfigDeployError)?.path == tree.path("scap/vars.yaml")
        }
    }

    /// A status record whose message holds U+2028, U+2029 or U+0085 is still one record.
    @Test func statusLinesSplitOnLineFeedOnly() throws {
        for separator in ["\u{2028}", "\u{2029}", "\u{85}"] {
            let line = #"{"scap_stage":"config_deploy","status":"ok","rev":"abc","message":"a"# + separator + #"b"}"#
            let status = TargetStageStatus.parse("noise\n" + line + "\n")
            #expect(status?.message == "a\(separator)b", "\(separator.unicodeScalars.first?.value ?? 0)")
        }
        // And config paths may not hold them in the first place.
        for separator in ["\u{2028}", "\u{2029}", "\u{85}", "\u{200E}"] {
            #expect(ConfigFilesManifest.normalizedPath("/etc/a\(separator)b") == nil)
        }
        #expect(ConfigFilesManifest.normalizedPath("/etc/ünïcode.conf") == "/etc/ünïcode.conf")
    }

    /// A relative config path through a committed symbolic link (`link -> /srv`) used to write outside
    /// `revs/<sha>`.
    @Test func relativeConfigPathsStayInTheRevisionDirectory() throws {
        let target = try LocalTarget(versions: 1)
        defer { target.remove() }
        let outside = NSTemporaryDirectory() + "scap-outside-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        var plan = try target.plan(1)
        #expect(try target.run(.fetch, plan).status == .ok)
        let revision = plan.layout.revisionDirectory(plan.revision)
        try FileManager.default.createSymbolicLink(atPath: revision + "/link", withDestinationPath: outside)
        plan.configFiles = [RenderedConfigFile(path: "link/escaped.txt", template: "t", content: "pwned\n")]
        let status = try target.run(.configDeploy, plan)
        #expect(status.status == .failed)
        #expect(status.message.contains("outside the revision directory"), "\(status.message)")
        #expect(!FileManager.default.fileExists(atPath: outside + "/escaped.txt"))
        // A plain relative path still works.
        plan.configFiles = [RenderedConfigFile(path: "conf/inside.txt", template: "t", content: "fine\n")]
        #expect(try target.run(.configDeploy, plan).status == .ok)
        #expect(try String(contentsOfFile: revision + "/conf/inside.txt", encoding: .utf8) == "fine\n")
    }
}

/// An nrpe check name used to be pasted into a sed program (GNU sed's `e` command runs a shell).
@Suite struct NRPENameTests {
    @Test func nrpeNamesAreValidatedAndNeverBecomeProgramText() throws {
        let tree = TempTree()
        let path = tree.write(
            "scap/checks.yaml", "checks:\n  bad:\n    type: nrpe\n    command: x]=//;e touch /tmp/p;s/\n    after: promote\n")
        var caught: ChecksError?
        let text = try String(contentsOfFile: path, encoding: .utf8)
        do {
            _ = try ChecksFile(parsing: text, path: path)
        } catch {
            caught = error
        }
        #expect(caught?.line == 4, "\(String(describing: caught))")
        #expect(caught?.message.contains("not an nrpe command name") == true)

        // Even a name built in code is only data for the lookup on the target.
        let nrpe = tree.path("nrpe.d")
        let marker = tree.path("ran")
        tree.write("nrpe.d/a.cfg", "command[check_ok]=echo fine\ncommand[x]=echo wrong\n")
        let good = Check(name: "ok", kind: .nrpe, after: .promote, command: "check_ok").targetChecks(nrpeDir: nrpe)
        #expect(try runShell(good[0].command).stdout == "fine\n")
        let hostile = "x]=//;e touch \(marker)\n;s/"
        let bad = Check(name: "bad", kind: .nrpe, after: .promote, command: hostile).targetChecks(nrpeDir: nrpe)
        let output = try runShell(bad[0].command)
        #expect(output.status != 0)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}

/// A "billion laughs" `scap/vars.yaml` (or checks.yaml, config-files.yaml) is refused, naming the file.
@Test func scapYAMLFilesLimitAliasExpansion() throws {
    var lines = ["a0: &a0 [\"lol\"]"]
    for level in 1...9 {
        lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ",") + "]")
    }
    let laughs = lines.joined(separator: "\n") + "\n"
    let tree = TempTree()
    let path = tree.write("scap/vars.yaml", laughs)
    let start = ContinuousClock.now
    #expect {
        _ = try TemplateVariables.load(root: tree.root)
    } throws: { error in
        guard let error = error as? ConfigDeployError else { return false }
        return error.path == path && error.line != nil && error.message.contains("more than 1000000 nodes")
    }
    #expect(ContinuousClock.now - start < .seconds(2))
    let checks = tree.write("scap/checks.yaml", laughs)
    #expect {
        _ = try ChecksFile(parsing: laughs, path: checks)
    } throws: { error in
        (error as? ChecksError)?.path == checks
    }
}
