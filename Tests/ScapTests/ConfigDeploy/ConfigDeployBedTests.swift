import Foundation
import TestSupport
import Testing

@testable import Scap

/// `config_deploy` and `--dry-run` over real SSH to a bed of two targets, each with its own /srv.
@Suite(.tags(.sshd), .serialized) struct ConfigDeployBedTests {
    @Test func deployRendersLinksSkipsUnchangedAndDryRunDiffsWithoutChanges() async throws {
        try await withTargetBed(hosts: 2) { bed in
            let repo = try DeployRepoFixture(
                groups: [("canary", ["host1"]), ("default", ["host2"])], extraConfig: "config_deploy: True\n")
            repo.tree.write(
                "scap/config-files.yaml",
                """
                /srv/etc/web/app.yaml:
                  template: app.yaml.j2
                  output_format: yaml
                conf/local.conf:
                  template: local.conf.j2
                """)
            repo.tree.write("scap/templates/app.yaml.j2", "port: {{ port }}\nname: {{ name }}\n")
            repo.tree.write("scap/templates/local.conf.j2", "{% for b in backends %}backend {{ b }}\n{% endfor %}")
            repo.tree.write("scap/vars.yaml", "port: 8080\nname: web\nbackends: [a, b]\n")
            let v1 = try repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
            let runner = TargetStageRunner(
                configuration: bed.configuration, batchSize: .count(2), stageTimeout: .seconds(60),
                connectionReuse: .session)
            func deploy(dryRun: Bool = false) async throws -> (DeployOutcome, [String]) {
                let console = ConsoleLines()
                var request = repo.request(message: dryRun ? "dry run" : "deploy")
                request.dryRun = dryRun
                let outcome = try await Deployment(
                    request: request, config: try repo.config(), executor: runner, console: console.print
                ).run()
                return (outcome, console.all)
            }
            /// On the controller: the path of `path` (a path on the target under /srv) for `host`.
            func local(_ host: String, _ path: String) -> String {
                bed.srvPath(of: host) + path.dropFirst("/srv".count)
            }
            let revision = "/srv/deployment/web-cache/revs/\(v1)"
            func read(_ host: String, _ path: String) throws -> String {
                try String(contentsOfFile: local(host, path), encoding: .utf8)
            }
            /// Reads `path` through its symlink, which points at a path on the target.
            func readLive(_ host: String, _ path: String) throws -> String {
                try read(host, try FileManager.default.destinationOfSymbolicLink(atPath: local(host, path)))
            }

            // First deploy: the absolute file is a symlink into the revision's .git/config-files, the relative
            // one lives in the revision.
            let (first, firstConsole) = try await deploy()
            #expect(first.succeeded, "\(first.failure ?? "") \(firstConsole)")
            #expect(
                first.reports.map { "\($0.label)/\($0.stage)" } == [
                    "canary/fetch", "canary/config_deploy", "canary/promote", "default/fetch", "default/config_deploy",
                    "default/promote", "canary/finalize", "default/finalize",
                ])
            for host in bed.hosts {
                let link = try FileManager.default.destinationOfSymbolicLink(
                    atPath: local(host, "/srv/etc/web/app.yaml"))
                #expect(link == revision + "/.git/config-files/srv/etc/web/app.yaml")
                #expect(
                    try read(host, revision + "/.git/config-files/srv/etc/web/app.yaml") == "port: 8080\nname: web\n")
                #expect(try read(host, revision + "/conf/local.conf") == "backend a\nbackend b\n")
                #expect(
                    try FileManager.default.destinationOfSymbolicLink(atPath: local(host, "/srv/deployment/web"))
                        == revision)
            }
            let renders = first.reports.filter { $0.stage == .configDeploy }.flatMap(\.outcomes.values)
            #expect(renders.count == 2)
            for outcome in renders {
                #expect(outcome.status == .ok)
                #expect(
                    outcome.message == "config files rendered: /srv/etc/web/app.yaml conf/local.conf; unchanged: none")
                #expect(outcome.output.contains("[rendered] /srv/etc/web/app.yaml"))
            }

            // The same vars again: every config_deploy and promote is a no-op.
            let (again, _) = try await deploy()
            #expect(again.succeeded)
            for report in again.reports where report.stage == .configDeploy || report.stage == .promote {
                #expect(report.hosts(.noop) == report.outcomes.keys.sorted(), "\(report.stage) \(report.label)")
            }
            for outcome in again.reports.filter({ $0.stage == .configDeploy }).flatMap(\.outcomes.values) {
                #expect(outcome.message == "config files unchanged: /srv/etc/web/app.yaml conf/local.conf")
            }

            // vars.yaml changes: --dry-run prints each host's diff and changes nothing.
            repo.tree.write("scap/vars.yaml", "port: 9090\nname: web\nbackends: [a, b]\n")
            let tags = try repo.git(["tag", "-l"])
            let (dry, dryConsole) = try await deploy(dryRun: true)
            #expect(dry.succeeded, "\(dry.failure ?? "") \(dryConsole)")
            #expect(dry.reports.map(\.stage) == [.configDiff, .configDiff])
            #expect(dryConsole.first == "Started dry-run [web@\(v1.prefix(7))]: dry run")
            for host in bed.hosts {
                #expect(
                    dryConsole.contains(
                        "[\(host)] config files differ: /srv/etc/web/app.yaml; unchanged: conf/local.conf"))
                #expect(try readLive(host, "/srv/etc/web/app.yaml") == "port: 8080\nname: web\n")
            }
            let diff = dryConsole.joined(separator: "\n")
            #expect(diff.contains("--- /srv/etc/web/app.yaml (live)\n+++ /srv/etc/web/app.yaml (rendered)\n"))
            #expect(diff.components(separatedBy: "-port: 8080\n+port: 9090").count == 3, "\(diff)")
            #expect(try repo.git(["tag", "-l"]) == tags)

            // The real deploy of the new vars re-renders and promotes again on the same revision.
            let (third, _) = try await deploy()
            #expect(third.succeeded)
            for report in third.reports where report.stage == .configDeploy || report.stage == .promote {
                #expect(report.hosts(.ok) == report.outcomes.keys.sorted(), "\(report.stage) \(report.label)")
            }
            for host in bed.hosts { #expect(try readLive(host, "/srv/etc/web/app.yaml") == "port: 9090\nname: web\n") }
        }
    }

    @Test func remoteVarsRenderEachTargetWithItsOwnFile() async throws {
        try await withTargetBed(hosts: 3) { bed in
            let repo = try DeployRepoFixture(
                groups: [("default", ["host1", "host2", "host3"])],
                extraConfig: "config_deploy: True\nfailure_limit: 1\n")
            repo.tree.write(
                "scap/config-files.yaml",
                """
                /srv/etc/web/app.yaml:
                  template: app.yaml.j2
                  remote_vars: /srv/etc/web/host-vars.yaml
                conf/common.conf:
                  template: common.j2
                """)
            repo.tree.write("scap/templates/app.yaml.j2", "shard: {{ shard }}\nport: {{ port }}\n")
            repo.tree.write("scap/templates/common.j2", "port={{ port }} shard={{ shard }}\n")
            repo.tree.write("scap/vars.yaml", "port: 8080\n")
            func local(_ host: String, _ path: String) -> String {
                bed.srvPath(of: host) + path.dropFirst("/srv".count)
            }
            func write(_ host: String, _ text: String) throws {
                let path = local(host, "/srv/etc/web/host-vars.yaml")
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }
            // vars.yaml wins over the target's file (port); host3's file is not YAML.
            try write("host1", "shard: 1\nport: 1111\n")
            try write("host2", "shard: 2\n")
            try write("host3", "shard: [unclosed\n")
            let v1 = try repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
            let runner = TargetStageRunner(
                configuration: bed.configuration, batchSize: .count(3), stageTimeout: .seconds(60),
                connectionReuse: .session)
            let console = ConsoleLines()
            let outcome = try await Deployment(
                request: repo.request(message: "per-target"), config: try repo.config(), executor: runner,
                console: console.print
            ).run()
            #expect(outcome.succeeded, "\(outcome.failure ?? "") \(console.all)")
            let revision = "/srv/deployment/web-cache/revs/\(v1)"
            func read(_ host: String, _ path: String) throws -> String {
                try String(contentsOfFile: local(host, revision + path), encoding: .utf8)
            }
            #expect(try read("host1", "/.git/config-files/srv/etc/web/app.yaml") == "shard: 1\nport: 8080\n")
            #expect(try read("host2", "/.git/config-files/srv/etc/web/app.yaml") == "shard: 2\nport: 8080\n")
            // An entry without remote_vars sees none of the target's variables.
            #expect(try read("host1", "/conf/common.conf") == "port=8080 shard=\n")
            let render = try #require(outcome.reports.first { $0.stage == .configDeploy })
            #expect(render.hosts(.ok) == ["host1", "host2"])
            let failed = try #require(render.outcomes["host3"])
            #expect(failed.status == .failed)
            #expect(failed.message.contains("host3:/srv/etc/web/host-vars.yaml:2:1: invalid YAML"), "\(failed.message)")
            #expect(!FileManager.default.fileExists(atPath: local("host3", "/srv/etc/web/app.yaml")))

            // host2's file changes: --dry-run reads the files again and shows a diff for host2 only.
            try write("host2", "shard: 22\n")
            var request = repo.request(message: "dry run")
            request.dryRun = true
            let dryConsole = ConsoleLines()
            _ = try await Deployment(
                request: request, config: try repo.config(), executor: runner, console: dryConsole.print
            ).run()
            let dry = dryConsole.all.joined(separator: "\n")
            #expect(dry.contains("[host2] config files differ: /srv/etc/web/app.yaml"), "\(dry)")
            #expect(dry.contains("-shard: 2\n+shard: 22"), "\(dry)")
            #expect(!dry.contains("[host1] config files differ"), "\(dry)")
        }
    }
}
