import Cumin

extension TargetStageRunner {
    /// The runner `scap deploy` uses: OpenSSH through cumin with the configuration's `ssh_user` (when set) and
    /// `batch_size` (`<stage>_batch_size` for the stages that set one), stopping new hosts after the first failure as
    /// scap does. Each target keeps one SSH session for all the deploy's stages (one login per host);
    /// ``TargetStageRunner/close()`` ends them. With persistent connections the masters outlive the deploy instead
    /// (`cumin --close-connections` ends them).
    /// - Parameters:
    ///   - config: the deploy's configuration.
    ///   - sshOptions: extra `ssh` options, e.g. `["-F /etc/scap/ssh_config"]`.
    ///   - stageTimeout: the longest one stage may run on one host.
    ///   - transport: cumin's transport name: `clustershell` (OpenSSH) or, where the program registered it,
    ///     `native` (in-process SSH); `nil` takes `ssh_transport`, else `clustershell`.
    ///   - persistConnections: idle seconds of persistent OpenSSH masters (``ConnectionReuse/persistent``), which
    ///     later deploys reuse; `nil` takes `ssh_persist_connections`, else each target gets one session per deploy.
    ///     Over `native`, only the hosts that fall back to OpenSSH use them.
    public static func forDeploy(
        config: ScapConfig, sshOptions: [String] = [], stageTimeout: Duration? = nil, transport: String? = nil,
        persistConnections: Int? = nil
    ) -> TargetStageRunner {
        var configuration = Configuration()
        configuration.transport = transport ?? config.sshTransport ?? "clustershell"
        let persist = persistConnections ?? config.sshPersistConnections
        configuration.clustershell.persistConnections = persist
        configuration.defaultBackend = "direct"
        configuration.clustershell.sshOptions = sshOptions
        configuration.clustershell.connectTimeout = 10
        if config.values["ssh_user"] != nil { configuration.clustershell.sshUser = config.sshUser }
        var runner = TargetStageRunner(
            configuration: configuration, batchSize: .count(config.batchSize), failureLimit: 0,
            stageTimeout: stageTimeout, connectionReuse: persist != nil ? .persistent : .session)
        for stage in DeployStage.allCases {
            let size = config.batchSize(forStage: stage)
            if size != config.batchSize { runner.stageBatchSizes[stage] = .count(size) }
        }
        return runner
    }
}

extension TargetStageRunner: DeployStageExecutor {}
