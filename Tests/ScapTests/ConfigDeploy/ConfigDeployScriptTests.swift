import Foundation
import Testing

@testable import Scap

/// The `config_deploy`, `promote`, `rollback` and `config_diff` scripts run locally with `sh`, under a directory
/// whose name needs quoting, with an absolute final path in that directory and content no shell should touch.
@Suite struct ConfigDeployScriptTests {
    /// Runs `stage` and returns its status and standard error.
    func run(_ stage: DeployStage, _ plan: TargetStagePlan) throws -> (TargetStageStatus, String) {
        let output = try runShell(TargetScript.render(stage, plan: plan))
        guard let status = TargetStageStatus.parse(output.stdout) else {
            throw TargetTestFailure("no status: \(output.stdout) \(output.stderr)")
        }
        #expect((output.status == 0) == (status.status != .failed), "\(output.stderr)")
        return (status, output.stderr)
    }

    @Test func renderLinkSkipUnchangedRollBackAndDiff() throws {
        let target = try LocalTarget(versions: 2)
        defer { target.remove() }
        let absolute = target.root + "/etc/web/app.conf"
        let odd = "tab\there 'quoted' $HOME `id` \\ \u{1}\n"
        func plan(_ version: Int, _ value: String) throws -> TargetStagePlan {
            var plan = try target.plan(version)
            plan.configFiles = [
                RenderedConfigFile(path: absolute, template: "app.conf", content: "value=\(value)\n"),
                RenderedConfigFile(path: "conf/local.conf", template: "local.conf", content: odd),
            ]
            return plan
        }
        let v1 = try plan(1, "1")
        let rev1 = v1.layout.revisionDirectory(v1.revision)
        #expect(try run(.fetch, v1).0.status == .ok)

        // First render: both written; promote links the absolute one into the revision's .git/config-files.
        let (rendered, renderedLog) = try run(.configDeploy, v1)
        #expect(rendered.status == .ok, "\(rendered.message)")
        #expect(rendered.message == "config files rendered: \(absolute) conf/local.conf; unchanged: none")
        #expect(renderedLog.contains("[rendered] conf/local.conf"))
        #expect(try String(contentsOfFile: rev1 + "/conf/local.conf", encoding: .utf8) == odd)
        #expect(try run(.promote, v1).0.status == .ok)
        let linked = rev1 + "/.git/config-files" + absolute
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: absolute) == linked)
        #expect(try String(contentsOfFile: absolute, encoding: .utf8) == "value=1\n")

        // The same files again: unchanged, and promote is a no-op.
        let (again, againLog) = try run(.configDeploy, v1)
        #expect(again.status == .noop)
        #expect(again.message == "config files unchanged: \(absolute) conf/local.conf")
        #expect(againLog.contains("[unchanged] \(absolute)"))
        #expect(try run(.promote, v1).0.status == .noop)

        // New content on the same revision: promote is not a no-op (the service would restart).
        let v1b = try plan(1, "1b")
        #expect(try run(.configDeploy, v1b).0.message.hasPrefix("config files rendered: \(absolute);"))
        #expect(try run(.promote, v1b).0.status == .ok)
        #expect(try String(contentsOfFile: absolute, encoding: .utf8) == "value=1b\n")
        #expect(try run(.promote, v1b).0.status == .noop)
        #expect(try run(.finalize, v1b).0.status == .ok)

        // v2 moves the link; rollback re-links .done's file without rendering.
        let v2 = try plan(2, "2")
        #expect(try run(.fetch, v2).0.status == .ok)
        #expect(try run(.configDeploy, v2).0.status == .ok)
        #expect(try run(.promote, v2).0.status == .ok)
        #expect(try String(contentsOfFile: absolute, encoding: .utf8) == "value=2\n")
        #expect(try run(.rollback, v2).0.status == .ok)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: absolute) == linked)
        #expect(try String(contentsOfFile: absolute, encoding: .utf8) == "value=1b\n")

        // config_diff shows what would change against the live files, and changes nothing.
        let (diff, diffLog) = try run(.configDiff, try plan(2, "3"))
        #expect(diff.status == .ok)
        #expect(diff.message == "config files differ: \(absolute); unchanged: conf/local.conf")
        #expect(diffLog.contains("--- \(absolute) (live)\n+++ \(absolute) (rendered)\n"))
        #expect(diffLog.contains("-value=1b\n+value=3\n"))
        #expect(try String(contentsOfFile: absolute, encoding: .utf8) == "value=1b\n")
        let (same, sameLog) = try run(.configDiff, v1b)
        #expect(same.status == .noop && sameLog.isEmpty, "\(sameLog)")
    }

    @Test func configDeployNeedsTheRevisionAndNoFilesIsANoop() throws {
        let target = try LocalTarget(versions: 1)
        defer { target.remove() }
        var plan = try target.plan(1)
        plan.configFiles = [RenderedConfigFile(path: "a.conf", template: "a", content: "a\n")]
        let (missing, _) = try run(.configDeploy, plan)
        #expect(missing.status == .failed && missing.message.contains("run fetch first"))
        plan.configFiles = []
        #expect(try run(.fetch, plan).0.status == .ok)
        #expect(try run(.configDeploy, plan).0.status == .noop)
        #expect(throws: TargetPlanError.self) {
            try TargetStagePlan(
                repo: "r", revision: plan.revision, gitURL: "file:///x",
                configFiles: [RenderedConfigFile(path: "../a", template: "a", content: "")])
        }
    }
}
