import Foundation

/// A real service per bed host: `python3 -m http.server` serving the deployed tree on its own loopback port,
/// with start and restart scripts and a pidfile under the host's private /srv.
struct WebService {
    /// The host's /srv as the controller sees it.
    var srvPath: String
    var port: Int
    var repo: String

    /// The restart command the plan sends (the same path on every host: each has its own /srv).
    static let restartCommand = "sh /srv/svc/restart.sh"

    /// Writes the scripts into the host's /srv.
    func install() throws {
        let directory = srvPath + "/svc"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let start = """
            #!/bin/sh
            nohup /usr/bin/python3 -m http.server \(port) --bind 127.0.0.1 --directory /srv/deployment/\(repo) \
                >/srv/svc/log 2>&1 </dev/null &
            echo $! >/srv/svc/pid
            """
        let restart = """
            #!/bin/sh
            if [ -f /srv/svc/pid ]; then
                pid=$(cat /srv/svc/pid)
                kill "$pid" 2>/dev/null || true
                i=0
                while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
            fi
            exec sh /srv/svc/start.sh
            """
        try start.write(toFile: directory + "/start.sh", atomically: true, encoding: .utf8)
        try restart.write(toFile: directory + "/restart.sh", atomically: true, encoding: .utf8)
    }

    /// The PID in the pidfile, if any.
    var pid: Int32? {
        (try? String(contentsOfFile: srvPath + "/svc/pid", encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Stops the service by its pidfile.
    func stop() {
        guard let pid, pid > 1 else { return }
        kill(pid, SIGTERM)
        for _ in 0..<50 where kill(pid, 0) == 0 { usleep(100_000) }
        if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
    }

    /// What the service answers for `path`, or `nil` when it does not answer.
    func get(_ path: String) throws -> String? {
        let output = try runTool(
            "/usr/bin/curl", ["-sf", "--max-time", "5", "http://127.0.0.1:\(port)/\(path)"], timeout: 10)
        return output.status == 0 ? output.stdout : nil
    }
}
