import Foundation
import Testing

@testable import Scap

/// Tests that fail when promote's no-op check or the fetch's atomic checkout break: both were left undetected by
/// planted bugs before.
@Suite struct TargetScriptMutationTests {
    /// Promote is a no-op only when the final path links to the revision too, not just `current`.
    @Test(arguments: ["deleted", "replaced"])
    func promoteRestoresAMissingOrWrongFinalPath(change: String) throws {
        let target = try LocalTarget(versions: 2)
        defer { target.remove() }
        let plan = try target.plan(1)
        let layout = plan.layout
        #expect(try target.run(.fetch, plan).status == .ok)
        #expect(try target.run(.promote, plan).status == .ok)
        #expect(try target.run(.promote, plan).status == .noop)
        try FileManager.default.removeItem(atPath: layout.finalPath)
        if change == "replaced" {
            try FileManager.default.createSymbolicLink(atPath: layout.finalPath, withDestinationPath: "/nonexistent")
        }
        let again = try target.run(.promote, plan)
        #expect(again.status == .ok, "\(again.message)")
        let resolved = URL(fileURLWithPath: layout.finalPath).resolvingSymlinksInPath().path
        let revision = URL(fileURLWithPath: layout.revisionDirectory(plan.revision)).resolvingSymlinksInPath().path
        #expect(resolved == revision)
        #expect(try String(contentsOfFile: layout.finalPath + "/version.txt", encoding: .utf8) == "v1\n")
    }

    /// A fetch whose checkout fails leaves no revision directory behind (it checks out elsewhere and renames),
    /// so the next fetch does the work again instead of taking a half-made directory for a finished one.
    @Test func aFailedCheckoutLeavesNoRevisionDirectory() throws {
        let target = try LocalTarget(versions: 1)
        defer { target.remove() }
        let plan = try target.plan(1)
        let revision = plan.layout.revisionDirectory(plan.revision)
        let failingCheckout = """
            git() {
                case " $* " in *" checkout "*) echo 'checkout broken' >&2; return 1 ;; esac
                command git "$@"
            }

            """
        let output = try runShell(failingCheckout + TargetScript.render(.fetch, plan: plan))
        let status = try #require(TargetStageStatus.parse(output.stdout), "\(output.stdout) \(output.stderr)")
        #expect(status.status == .failed)
        #expect(!FileManager.default.fileExists(atPath: revision))
        let real = try target.run(.fetch, plan)
        #expect(real.status == .ok)
        #expect(try String(contentsOfFile: revision + "/version.txt", encoding: .utf8) == "v1\n")
    }
}
