extension Deployment {
    /// The stages without `-s`: fetch, `config_deploy` when `config_deploy` is enabled, and promote.
    public var defaultStages: [DeployStage] {
        config.configDeploy ? [.fetch, .configDeploy, .promote] : [.fetch, .promote]
    }

    /// The stages of `--dry-run`: `config_diff` only.
    /// - Throws: ``DeployError`` (usage) with `--service-restart` or `-s`, or when `config_deploy` is not enabled.
    func dryRunStages() throws(DeployError) -> [DeployStage] {
        if request.serviceRestartOnly || request.stages != nil {
            throw DeployError(.usage, "--dry-run cannot be combined with --service-restart or -s/--stages")
        }
        guard config.configDeploy else {
            throw DeployError(
                .usage,
                "--dry-run diffs the config_deploy templates, but config_deploy is not enabled: set "
                    + "config_deploy: True in scap/scap.cfg and list the files in scap/config-files.yaml")
        }
        return [.configDiff]
    }

    /// The files rendered on this host (with no `remote_vars` variable: every target's files, unless entries have
    /// `remote_vars`), and, when entries have `remote_vars` and `stages` render templates, the renderer of each
    /// target's files. Rendering here first checks every template before the deploy starts.
    /// - Throws: ``DeployError`` naming the file (and line) of a bad `config-files.yaml`, `vars.yaml` or template.
    func prepareConfigFiles(stages: [DeployStage]) throws(DeployError)
        -> (files: [RenderedConfigFile], perTarget: PerTargetConfigFiles?)
    {
        guard config.configDeploy else { return ([], nil) }
        let renderer = ConfigRenderer(root: request.root, environment: config.environment)
        do throws(ConfigDeployError) {
            let manifest = try ConfigFilesManifest.load(root: request.root, environment: config.environment)
            let variables = try TemplateVariables.load(root: request.root, environment: config.environment)
            let files = try renderer.render(manifest, variables: variables)
            let rendersTemplates = stages.contains(.configDeploy) || stages.contains(.configDiff)
            let perTarget =
                rendersTemplates
                ? PerTargetConfigFiles(renderer: renderer, manifest: manifest, variables: variables, executor: executor)
                : nil
            return (files, perTarget)
        } catch {
            throw DeployError(.configFiles(error), "config_deploy: \(error)")
        }
    }
}
