import Cumin
import Foundation
import NodeSet

extension TargetStageRunner {
    /// Reads `paths` on every host of `hosts` in one run over the runner's connections (a target's session serves
    /// its stages too), e.g. the `remote_vars` files of `config_deploy`.
    /// - Returns: each host's files, or why they could not be read.
    public func readFiles(_ paths: [String], on hosts: [String]) async
        -> [String: Result<RemoteFiles, RemoteReadFailure>]
    {
        guard !hosts.isEmpty else { return [:] }
        let script = RemoteFileScript.command(paths)
        let base: any Transport
        do {
            base = try connections.transport(hosts: hosts) { () throws(ExecutionError) in
                try OpenSSHTransport(configuration: configuration, connectionReuse: connectionReuse)
            }
        } catch {
            return failing(hosts, "cannot set up SSH: \(error.message)")
        }
        let transport = PerHostCommandTransport(
            base: base, commands: [:], keepsConnections: connectionReuse != .none)
        let options = ExecutionOptions(mode: .async, batchSize: batchSize, successThreshold: 0)
        let executor = Executor(transport: transport, options: options, observer: SilentObserver())
        let results: ExecutionResults
        do {
            results = try await executor.run([Command(script, timeout: stageTimeout)], on: NodeSet(nodes: hosts))
        } catch {
            return failing(hosts, error.message)
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

    private func failing(_ hosts: [String], _ message: String) -> [String: Result<RemoteFiles, RemoteReadFailure>] {
        Dictionary(uniqueKeysWithValues: hosts.map { ($0, .failure(RemoteReadFailure(message))) })
    }
}

/// The POSIX sh command that prints files of a target as base64, one line each, and how its answer is read.
enum RemoteFileScript {
    static let doneMarker = "scap-remote-files-done"

    /// `scap-remote-file <i> <base64>` for each readable file, `scap-remote-file-error <i> <why>` for one that
    /// exists but cannot be read, nothing for a missing one, then the done marker.
    static func command(_ paths: [String]) -> String {
        var lines: [String] = []
        for (index, path) in paths.enumerated() {
            let q = ShellQuote.quote(path)
            lines.append(
                "if [ -f \(q) ]; then if [ -r \(q) ]; then printf 'scap-remote-file \(index) '; base64 <\(q) | "
                    + "tr -d '\\n'; printf '\\n'; else printf 'scap-remote-file-error \(index) not readable\\n'; fi; "
                    + "elif [ -e \(q) ]; then printf 'scap-remote-file-error \(index) not a regular file\\n'; fi")
        }
        lines.append("printf '%s\\n' \(doneMarker)")
        return lines.joined(separator: "\n")
    }

    /// The files of an answer, or `nil` when it was cut short (no done marker) or is not the script's.
    static func parse(_ output: String, paths: [String]) -> RemoteFiles? {
        var files = RemoteFiles()
        var done = false
        for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            if line == doneMarker { done = true; continue }
            guard fields.count >= 2, let index = Int(fields[1]), paths.indices.contains(index) else { continue }
            let value = fields.count == 3 ? String(fields[2]) : ""
            switch fields[0] {
            case "scap-remote-file":
                guard let data = Data(base64Encoded: value) else { return nil }
                guard let text = String(data: data, encoding: .utf8) else {
                    files.problems[paths[index]] = "is not UTF-8 text"
                    continue
                }
                files.contents[paths[index]] = text
            case "scap-remote-file-error":
                files.problems[paths[index]] = value
            default:
                continue
            }
        }
        return done ? files : nil
    }
}
