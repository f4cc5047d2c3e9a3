import Foundation

extension ScapInvocation {
    /// The checks every deploying command (`scap deploy`, `scap backport`) makes before it starts, then the
    /// repository's configuration: root through sudo refused, `scap/scap.cfg` present in the invocation's
    /// directory, `--lock-timeout` within 0...3600 s.
    /// - Parameters:
    ///   - command: the subcommand named in the messages (`deploy`, `backport`).
    ///   - configErrorExitCode: the exit status for a configuration that does not load.
    /// - Throws: ``DeployApplicationError`` with the message to print and the exit status.
    func loadDeployConfig(
        command: String, lockTimeout: Double, environment scapEnvironment: String?, defines: [String],
        configErrorExitCode: Int32
    ) throws(DeployApplicationError) -> ScapConfig {
        if let refusal = rootRefusal { throw DeployApplicationError(refusal) }
        let configPath = path("scap/scap.cfg")
        guard FileManager.default.fileExists(atPath: configPath) else {
            throw DeployApplicationError(
                "Deployment configuration not found: \(configPath) does not exist; run scap \(command) from the top "
                    + "of a deploy repository")
        }
        guard lockTimeout >= 0, lockTimeout <= 3600 else {
            throw DeployApplicationError(
                "--lock-timeout must be between 0 and 3600 seconds", exitCode: ScapExitCode.usage)
        }
        do {
            return try ScapConfigLoader(root: directory, environment: scapEnvironment, overrides: defines).load()
        } catch {
            throw DeployApplicationError("\(error)", exitCode: configErrorExitCode)
        }
    }
}
