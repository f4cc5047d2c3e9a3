extension Deployment {
    /// The stages without `-s`: fetch, `config_deploy` when `config_deploy` is enabled, and promote.
    public var defaultStages: [TargetStage] {
        config.configDeploy ? [.fetch, .configDeploy, .promote] : [.fetch, .promote]
    }

    /// The stages of `--dry-run`: `config_diff` only.
    /// - Throws: ``DeployError`` (usage) with `--service-restart` or `-s`, or when `config_deploy` is not enabled.
    func dryRunStages() throws(DeployError) -> [TargetStage] {
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

    /// The `config-files.yaml` files rendered on this host, or none when `config_deploy` is not enabled.
    /// - Throws: ``DeployError`` naming the file (and line) of a bad `config-files.yaml`, `vars.yaml` or template.
    public func renderConfigFiles() throws(DeployError) -> [RenderedConfigFile] {
        guard config.configDeploy else { return [] }
        do {
            return try ConfigRenderer(root: request.root, environment: config.environment).render()
        } catch {
            throw DeployError("config_deploy: \(error)")
        }
    }
}
