import Cumin

extension TargetStageRunner {
    /// Reads `paths` on every host of `hosts` in one run over the runner's connections (a target's session serves
    /// its stages too), e.g. the `remote_vars` files of `config_deploy`.
    /// - Returns: each host's files, or why they could not be read.
    public func readFiles(_ paths: [String], on hosts: [String]) async
        -> [String: Result<RemoteFiles, RemoteReadFailure>]
    {
        guard !hosts.isEmpty else { return [:] }
        let script = RemoteFileScript.command(paths)
        let results: ExecutionResults
        do {
            results = try await execute(
                Dictionary(hosts.map { ($0, script) }, uniquingKeysWith: { first, _ in first }), name: "scap-read-files",
                batchSize: batchSize, successThreshold: 0, observer: SilentObserver())
        } catch {
            let failure = RemoteReadFailure(error.message)
            return Dictionary(hosts.map { ($0, .failure(failure)) }, uniquingKeysWith: { first, _ in first })
        }
        var answers: [String: Result<RemoteFiles, RemoteReadFailure>] = [:]
        for host in hosts {
            guard let command = results.host(host)?.results.last else {
                answers[host] = .failure(RemoteReadFailure("not started"))
                continue
            }
            if command.state == .success, let files = RemoteFileScript.parse(command.stdoutText, paths: paths) {
                answers[host] = .success(files)
            } else {
                let outcome = Self.outcome(of: results.host(host), host: host)
                answers[host] = .failure(RemoteReadFailure(outcome.message))
            }
        }
        return answers
    }
}
