import Foundation

/// The `config_deploy` files of each target when entries have `remote_vars`: the files are read on the targets
/// of a group in one run (the first time a target of that group is asked for), and each target's templates are
/// rendered with its variables underneath `vars.yaml`. Targets whose files are identical share one rendering.
///
/// A target whose file cannot be read or parsed gets an error naming the host, the file and the line; the deploy
/// fails that target's `config_deploy`, so it counts against the group's `failure_limit`.
public actor PerTargetConfigFiles {
    private let renderer: ConfigRenderer
    private let manifest: ConfigFilesManifest
    private let variables: TemplateVariables
    private let executor: any DeployStageExecutor
    private var byHost: [String: Result<[RenderedConfigFile], ConfigDeployError>] = [:]
    private var byContents: [[String: String]: Result<[RenderedConfigFile], ConfigDeployError>] = [:]

    /// Creates the renderer of a deploy; `nil` when no entry has `remote_vars` (every target gets the same files).
    public init?(
        renderer: ConfigRenderer, manifest: ConfigFilesManifest, variables: TemplateVariables,
        executor: any DeployStageExecutor
    ) {
        guard !manifest.remoteVariableFiles.isEmpty else { return nil }
        self.renderer = renderer
        self.manifest = manifest
        self.variables = variables
        self.executor = executor
    }

    /// The files of `host`, reading the `remote_vars` files on every host of `hosts` not read yet.
    public func files(for host: String, among hosts: [String]) async
        -> Result<[RenderedConfigFile], ConfigDeployError>
    {
        if let known = byHost[host] { return known }
        let unread = Array(Set(hosts + [host]).subtracting(byHost.keys)).sorted()
        let paths = manifest.remoteVariableFiles
        let answers = await executor.readFiles(paths, on: unread)
        for target in unread {
            switch answers[target] ?? .failure(RemoteReadFailure("no answer")) {
            case .success(let files):
                byHost[target] = render(files, host: target)
            case .failure(let failure):
                byHost[target] = .failure(
                    ConfigDeployError(
                        path: "\(target):\(paths.joined(separator: ","))",
                        message: "cannot read the remote_vars files: \(failure.message)"))
            }
        }
        return byHost[host] ?? .failure(ConfigDeployError(path: host, message: "remote_vars were not read"))
    }

    private func render(_ files: RemoteFiles, host: String) -> Result<[RenderedConfigFile], ConfigDeployError> {
        if let (path, problem) = files.problems.sorted(by: { $0.key < $1.key }).first {
            return .failure(
                ConfigDeployError(
                    path: "\(host):\(path)", message: "remote_vars file \(problem): fix it on the target"))
        }
        if let known = byContents[files.contents] { return known }
        var remote: [String: TemplateVariables] = [:]
        var result: Result<[RenderedConfigFile], ConfigDeployError>
        do throws(ConfigDeployError) {
            for (path, text) in files.contents {
                remote[path] = try TemplateVariables(parsing: text, path: "\(host):\(path)")
            }
            result = .success(try renderer.render(manifest, variables: variables, remoteVariables: remote))
        } catch {
            result = .failure(error)
        }
        byContents[files.contents] = result
        return result
    }
}
