import Foundation
import Testing

@testable import Scap

/// Rendering `config-files.yaml` templates on the deploy host: variables, environment overrides, and errors that
/// name the file at fault.
@Suite struct ConfigRenderTests {
    /// A deploy repository's `scap/` with two files to render, global and `beta` variables and templates.
    static func tree() -> TempTree {
        let tree = TempTree()
        tree.write(
            "scap/config-files.yaml",
            """
            /srv/etc/web/app.yaml:
              template: app.yaml.j2
              output_format: yaml
            ./conf//local.conf:
              template: local.conf.j2
              erb_syntax: false
            """)
        tree.write(
            "scap/templates/app.yaml.j2",
            """
            port: {{ port }}
            name: {{ name }}
            backends:
            {% for backend in backends %}  - {{ backend }}
            {% endfor %}{% if debug %}debug: true
            {% endif %}
            """)
        tree.write("scap/templates/local.conf.j2", "global {{ name }}\n")
        tree.write("scap/environments/beta/templates/local.conf.j2", "beta {{ name }} {{ limits.memory }}\n")
        tree.write("scap/vars.yaml", "port: 8080\nname: web\nbackends: [a, b]\ndebug: false\nlimits: {memory: 1G}\n")
        tree.write("scap/environments/beta/vars.yaml", "name: web-beta\ndebug: true\n")
        return tree
    }

    /// The error of rendering `tree` without an environment.
    static func renderError(_ tree: TempTree) throws -> ConfigDeployError {
        try #require(throws: ConfigDeployError.self) { try ConfigRenderer(root: tree.root).render() }
    }

    @Test func rendersVariablesListsAndConditions() throws {
        let tree = Self.tree()
        let files = try ConfigRenderer(root: tree.root).render()
        #expect(files.map(\.path) == ["/srv/etc/web/app.yaml", "conf/local.conf"])
        #expect(files[0].content == "port: 8080\nname: web\nbackends:\n  - a\n  - b\n")
        #expect(files[0].isAbsolute && files[0].revisionRelativePath == ".git/config-files/srv/etc/web/app.yaml")
        #expect(files[1].content == "global web\n")
        #expect(files[1].revisionRelativePath == "conf/local.conf")
    }

    @Test func environmentVariablesAndTemplatesWin() throws {
        let tree = Self.tree()
        let variables = try TemplateVariables.load(root: tree.root, environment: "beta")
        #expect(variables.values["name"] == .string("web-beta"))
        #expect(variables.values["port"] == .int(8080))
        #expect(variables.files.count == 2)
        let files = try ConfigRenderer(root: tree.root, environment: "beta").render()
        #expect(files[0].content == "port: 8080\nname: web-beta\nbackends:\n  - a\n  - b\ndebug: true\n")
        #expect(files[1].content == "beta web-beta 1G\n")
        // An environment without its own files uses the global ones.
        #expect(try ConfigRenderer(root: tree.root, environment: "prod").render()[1].content == "global web\n")
    }

    @Test func environmentConfigFilesReplaceTheGlobalOnes() throws {
        let tree = Self.tree()
        tree.write("scap/environments/beta/config-files.yaml", "/srv/only.conf: {template: local.conf.j2}\n")
        let manifest = try ConfigFilesManifest.load(root: tree.root, environment: "beta")
        #expect(manifest.entries == [ConfigFileEntry(path: "/srv/only.conf", template: "local.conf.j2")])
        #expect(manifest.path.hasSuffix("scap/environments/beta/config-files.yaml"))
    }

    @Test func missingTemplateNamesTheFileAndTheDirectories() throws {
        let tree = Self.tree()
        tree.write("scap/config-files.yaml", "/srv/x.conf:\n  template: nowhere.j2\n")
        let error = try Self.renderError(tree)
        #expect(error.path == tree.path("scap/config-files.yaml"))
        #expect(error.key == "/srv/x.conf")
        #expect(error.description.contains("template 'nowhere.j2' not found in \(tree.path("scap/templates"))"))
    }

    @Test func stencilSyntaxErrorNamesTheTemplateFileAndLine() throws {
        let tree = Self.tree()
        tree.write("scap/templates/local.conf.j2", "first\n{% if name %}\nno end\n")
        let error = try Self.renderError(tree)
        #expect(error.path == tree.path("scap/templates/local.conf.j2"))
        #expect(error.line == 2)
        #expect(error.key == "conf/local.conf")
        #expect(error.description.hasPrefix(tree.path("scap/templates/local.conf.j2") + ":2:"))
        #expect(error.message.contains("endif"))
        tree.write("scap/templates/local.conf.j2", "a\nb {{ name|nosuchfilter }}\n")
        let filter = try Self.renderError(tree)
        #expect(filter.path == tree.path("scap/templates/local.conf.j2") && filter.line == 2)
        #expect(filter.message.contains("nosuchfilter"))
    }

    @Test func badYAMLNamesTheFileAndLine() throws {
        let tree = Self.tree()
        tree.write("scap/vars.yaml", "port: 8080\nname: [unclosed\n")
        let vars = try Self.renderError(tree)
        #expect(vars.path == tree.path("scap/vars.yaml"))
        #expect(vars.line != nil && vars.message.hasPrefix("invalid YAML"))
        tree.write("scap/vars.yaml", "- a\n- b\n")
        let list = try Self.renderError(tree)
        #expect(list.message.contains("expected a mapping of variable names"))
        tree.write("scap/config-files.yaml", "/srv/a:\n  template: a\n b: c\n")
        let manifest = try Self.renderError(tree)
        #expect(manifest.path == tree.path("scap/config-files.yaml") && manifest.line != nil)
    }

    @Test func remoteVarsLieUnderVarsYamlForTheirEntryOnly() throws {
        let tree = Self.tree()
        tree.write(
            "scap/config-files.yaml",
            "/etc/a.yaml:\n  template: a.j2\n  remote_vars: /etc/host//vars.yaml\n/etc/b.yaml: {template: a.j2}\n")
        tree.write("scap/templates/a.j2", "shard={{ shard }} port={{ port }}")
        tree.write("scap/vars.yaml", "port: 8080\n")
        let manifest = try ConfigFilesManifest.load(root: tree.root)
        #expect(manifest.remoteVariableFiles == ["/etc/host/vars.yaml"])
        let remote = try TemplateVariables(parsing: "shard: 3\nport: 1\n", path: "host1:/etc/host/vars.yaml")
        let files = try ConfigRenderer(root: tree.root).render(
            manifest, variables: try TemplateVariables.load(root: tree.root),
            remoteVariables: ["/etc/host/vars.yaml": remote])
        #expect(files.map(\.content) == ["shard=3 port=8080", "shard= port=8080"])
        let cutShort = "scap-remote-file 0 \(Data("a: 1".utf8).base64EncodedString())\n"
        #expect(RemoteFileScript.parse(cutShort, paths: ["/x"]) == nil, "no done marker")
        let read = RemoteFileScript.parse(
            "scap-remote-file 0 \(Data("a: 1".utf8).base64EncodedString())\nscap-remote-file-error 1 not readable\n"
                + RemoteFileScript.doneMarker + "\n",
            paths: ["/x", "/y", "/z"])
        #expect(read == RemoteFiles(contents: ["/x": "a: 1"], problems: ["/y": "not readable"]))
    }

    @Test func unsupportedAndInvalidEntriesSayWhatToDo() throws {
        func error(_ yaml: String) throws -> ConfigDeployError {
            try #require(throws: ConfigDeployError.self) {
                try ConfigFilesManifest(parsing: yaml, path: "scap/config-files.yaml")
            }
        }
        let remote = try error("/etc/a.yaml:\n  template: a\n  remote_vars: etc/a-vars.yaml\n")
        #expect(remote.line == 3 && remote.key == "/etc/a.yaml.remote_vars")
        #expect(remote.message.contains("expected the absolute path of a YAML file on the targets"))
        #expect(
            try error("/etc/a: {template: a, erb_syntax: true}\n").message.contains("ERB templates are not supported"))
        #expect(try error("/etc/a: {template: a, output_format: json}\n").message.contains("expected 'yaml'"))
        #expect(try error("/etc/a: {templat: a}\n").message.contains("unknown key"))
        #expect(try error("/etc/a: {output_format: yaml}\n").message.contains("'template' is required"))
        #expect(try error("../etc/a: {template: a}\n").key == "../etc/a")
        #expect(try error(".git/hooks/post-checkout: {template: a}\n").message.contains("'.git'"))
        #expect(try error("/etc/a: {template: ../../secret}\n").message.contains("under scap/templates/"))
        #expect(try error("/etc/a: {template: a}\n/etc//a: {template: b}\n").message.contains("listed twice"))
        let missing = try #require(throws: ConfigDeployError.self) {
            try ConfigFilesManifest.load(root: TempTree().root)
        }
        #expect(missing.message.contains("config_deploy is enabled"))
    }

    @Test func yamlOutputFormatRefusesRenderedTextThatIsNotYAML() throws {
        let tree = Self.tree()
        tree.write("scap/vars.yaml", "port: '[8080'\nname: web\nbackends: []\n")
        let error = try Self.renderError(tree)
        #expect(error.path == tree.path("scap/templates/app.yaml.j2"))
        #expect(error.message.contains("output_format is yaml"))
    }

    @Test func aBadTemplateStopsTheDeployBeforeItStarts() async throws {
        let repo = try DeployRepoFixture(groups: [("default", ["host1"])], extraConfig: "config_deploy: True\n")
        repo.tree.write("scap/config-files.yaml", "/srv/x.conf: {template: x.j2}\n")
        repo.tree.write("scap/templates/x.j2", "{% for a in b %}\n")
        let executor = FakeStageExecutor()
        let deployment = Deployment(
            request: repo.request(), config: try repo.config(), executor: executor, console: { _ in })
        let error = try await #require(throws: DeployError.self) { try await deployment.run() }
        #expect(error.message.contains(repo.tree.path("scap/templates/x.j2") + ":1:"))
        #expect(executor.calls.isEmpty)
        #expect(try repo.git(["tag", "-l"]).isEmpty)
    }

    @Test func stagesFollowConfigDeployAndDryRun() async throws {
        let repo = try DeployRepoFixture(groups: [("default", ["host1"])], extraConfig: "config_deploy: True\n")
        repo.tree.write("scap/config-files.yaml", "/srv/x.conf: {template: x.j2}\nrel.conf: {template: x.j2}\n")
        repo.tree.write("scap/templates/x.j2", "x={{ x }}\n")
        repo.tree.write("scap/vars.yaml", "x: 1\n")
        let config = try repo.config()
        func deployment(_ request: DeployRequest, _ config: ScapConfig, _ executor: FakeStageExecutor = .init())
            -> Deployment
        {
            Deployment(request: request, config: config, executor: executor, console: { _ in })
        }
        #expect(try deployment(repo.request(), config).stages() == [.fetch, .configDeploy, .promote])
        #expect(
            try deployment(repo.request(), try repo.config(overrides: ["config_deploy:False"])).stages() == [
                .fetch, .promote,
            ])
        #expect(try DeployRequest.parseStages("fetch,config_deploy") == [.fetch, .configDeploy])

        // A deploy inlines the rendered files into DEPLOY_HEAD and every host's plan.
        let executor = FakeStageExecutor()
        let outcome = try await deployment(repo.request(), config, executor).run()
        #expect(outcome.succeeded)
        #expect(executor.calls.map(\.stage) == [.fetch, .configDeploy, .promote, .finalize])
        let head = try JSONDecoder().decode(
            JSONValue.self,
            from: Data(contentsOf: URL(fileURLWithPath: DeployRepository(root: repo.root).deployHeadPath)))
        guard case .object(let fields) = head, case .object(let files)? = fields["config_files"] else {
            throw TargetTestFailure("no config_files in DEPLOY_HEAD: \(head)")
        }
        #expect(files["/srv/x.conf"] == .object(["template": .string("x.j2"), "content": .string("x=1\n")]))
        #expect(files.keys.sorted() == ["/srv/x.conf", "rel.conf"])

        // --dry-run: config_diff only, on the last deployed commit, no tag, no finalize.
        let tags = try repo.git(["tag", "-l"])
        var request = repo.request()
        request.dryRun = true
        #expect(try deployment(request, config).stages() == [.configDiff])
        let dryExecutor = FakeStageExecutor()
        let dry = try await deployment(request, config, dryExecutor).run()
        #expect(dry.succeeded)
        #expect(dryExecutor.calls.map(\.stage) == [.configDiff])
        #expect(try repo.git(["tag", "-l"]) == tags)
        request.serviceRestartOnly = true
        #expect(throws: DeployError.self) { try deployment(request, config).stages() }
        request.serviceRestartOnly = false
        let disabled = try repo.config(overrides: ["config_deploy:False"])
        let usage = try #require(throws: DeployError.self) { try deployment(request, disabled).stages() }
        #expect(usage.kind == .usage && usage.message.contains("config_deploy is not enabled"))
    }
}
