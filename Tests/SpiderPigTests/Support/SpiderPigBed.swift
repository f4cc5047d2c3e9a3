import Foundation
import TestBed

/// The spiderpig executable built with the tests.
let productPathOfSpiderPig = productPath("spiderpig")

/// Everything a SpiderPig test runs against, all real: loopback sshd hosts (testbed), a git deploy repository with
/// a canary and a default group, the OIDC provider mock (PyPI) as the IdP, and `spiderpig serve` with `scap` as its
/// job runner's child. Stopped by PID at the end.
final class SpiderPigBed: @unchecked Sendable {
    let directory: String
    let idpPort: Int
    let port: Int
    let configPath: String
    var idp: RunningProcess?
    var prometheus: RunningProcess?
    var server: RunningProcess?
    var base: String { "http://127.0.0.1:\(port)" }
    var idpBase: String { "http://127.0.0.1:\(idpPort)" }
    var repository: String { directory + "/web" }
    /// The backport repository (`mediawiki`): a clone of `upstream.git`, where changes are pushed as Gerrit lays
    /// them out (``pushChange(_:subject:files:)``).
    var backportRepository: String { directory + "/mediawiki" }
    var upstream: String { directory + "/upstream.git" }

    static var repoRoot: String {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { break }
            directory = directory.deletingLastPathComponent()
        }
        return directory.path
    }

    static var venvBin: String { repoRoot + "/.venv/bin" }

    /// Whether the PyPI tools are installed (scripts/setup.sh).
    static var toolsInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: venvBin + "/oidc-provider-mock")
    }

    init() throws {
        ignoreBrokenPipes()
        directory = NSTemporaryDirectory() + "spiderpig-bed-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        idpPort = try closedPort()
        port = try closedPort()
        configPath = directory + "/spiderpig.yaml"
    }

    /// Runs `body` with a started bed (after `prepare` on the new, not yet started bed), and stops the bed after.
    static func with(
        hosts: Int = 2, scap: ((SpiderPigBed) throws -> String)? = nil, prometheus: Bool = false,
        extraConfig: String = "",
        _ body: (SpiderPigBed) async throws -> Void
    ) async throws {
        let bed = try SpiderPigBed()
        do {
            try await bed.start(hosts: hosts, scap: try scap?(bed), prometheus: prometheus, extraConfig: extraConfig)
            try await bed.waitUntilUp(WebClient())
            try await body(bed)
        } catch {
            await bed.stop()
            throw error
        }
        await bed.stop()
    }

    /// Starts the hosts, the IdP and SpiderPig.
    /// With `prometheus`, a real Prometheus scraping itself every second feeds the monitoring panel.
    /// `extraConfig`: more top-level keys of the server's YAML configuration.
    func start(
        hosts: Int = 2, readyTimeout: Int = 600, scap: String? = nil, prometheus withPrometheus: Bool = false,
        extraConfig: String = ""
    ) async throws {
        var monitoring = ""
        if withPrometheus && FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus") {
            let prometheusPort = try closedPort()
            let scrape = """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: self
                    static_configs: [{targets: ["127.0.0.1:\(prometheusPort)"]}]
                """
            try scrape.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
            prometheus = try RunningProcess(
                "/usr/bin/prometheus",
                [
                    "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/prometheus",
                    "--web.listen-address=127.0.0.1:\(prometheusPort)",
                ])
            monitoring = """
                prometheus_url: http://127.0.0.1:\(prometheusPort)
                prometheus_queries:
                  requests per second: sum(rate(prometheus_http_requests_total[5s]))
                  targets up: sum(up)
                """
        }
        if hosts > 0 {
            let started = try await run(productPath("testbed"), ["start", "--dir", directory + "/bed", "--hosts", String(hosts)])
            guard started.status == 0 else { throw TestFailure("testbed start: \(started.stdout) \(started.stderr)") }
        }
        try await makeRepository(hosts: hosts)
        if hosts >= 3 { try await makeBackportRepository() }
        let config = """
            listen_host: 127.0.0.1
            listen_port: \(port)
            public_url: \(base)
            database: \(directory)/db/spiderpig.db
            audit_log: \(directory)/audit.log
            insecure_cookies: true
            ready_timeout: \(readyTimeout)
            oidc:
              issuer: \(idpBase)
              client_id: spiderpig
              client_secret: s3cret
              username_claim: sub
            roles:
              viewer: [watchers]
              deployer: [deployers]
              admin: [sre]
            repositories:
              web: \(repository)
            \(hosts >= 3 ? "  mediawiki: \(backportRepository)" : "")
            scap:
              binary: \(scap ?? productPath("scap"))
              extra_arguments: [--ssh-config, \(directory)/bed/ssh_config, --global-lock, \(directory)/global.lock, --lock-timeout, "5"]
            \(monitoring)
            \(extraConfig)
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        // Users the browser tests log in as by typing their name on the IdP's form (API tests set their own).
        let users = [("alice", "deployers"), ("bob", "deployers"), ("carol", "sre"), ("vera", "watchers")].flatMap {
            ["--user-claims", #"{"sub":"\#($0.0)","groups":["\#($0.1)"]}"#]
        }
        idp = try RunningProcess(
            SpiderPigBed.venvBin + "/oidc-provider-mock", ["--port", String(idpPort), "--require-nonce", "true"] + users)
        try startServer()
    }

    func startServer() throws {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "SUDO_USER")
        server = try RunningProcess(productPath("spiderpig"), ["serve", "--config", configPath], environment: environment)
    }

    /// Waits until both servers answer HTTP.
    func waitUntilUp(_ client: WebClient) async throws {
        for url in [idpBase + "/.well-known/openid-configuration", base + "/login"] {
            var up = false
            for _ in 0..<150 {
                if let reply = try? await client.send("GET", url), reply.status == 200 { up = true; break }
                try await Task.sleep(for: .milliseconds(200))
            }
            guard up else { throw TestFailure("\(url) never answered: \(server?.stderr ?? "") \(idp?.stderr ?? "")") }
        }
    }

    private func makeRepository(hosts: Int) async throws {
        try FileManager.default.createDirectory(atPath: repository + "/scap", withIntermediateDirectories: true)
        let config = """
            [global]
            git_repo: web
            lock_file: \(directory)/web.lock
            server_groups: canary, default
            canary_dsh_targets: canary-targets
            dsh_targets: default-targets

            """
        try config.write(toFile: repository + "/scap/scap.cfg", atomically: true, encoding: .utf8)
        try "host1\n".write(toFile: repository + "/scap/canary-targets", atomically: true, encoding: .utf8)
        try ((2...max(2, hosts)).map { "host\($0)" }.joined(separator: "\n") + "\n")
            .write(toFile: repository + "/scap/default-targets", atomically: true, encoding: .utf8)
        try "v1\n".write(toFile: repository + "/version.txt", atomically: true, encoding: .utf8)
        for arguments in [
            ["init", "--quiet", "-b", "main"], ["add", "."],
            ["-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "--quiet", "-m", "v1"],
        ] {
            let result = try await run("/usr/bin/git", ["-C", repository] + arguments)
            guard result.status == 0 else { throw TestFailure("git \(arguments): \(result.stderr)") }
        }
    }

    /// The backport world (with 3 hosts or more): `upstream.git`, the deploy repository cloned from it with
    /// testservers (host1), canary (host2) and production (host3...) groups, and an author's clone.
    private func makeBackportRepository() async throws {
        try await git(directory, ["init", "--quiet", "--bare", "-b", "main", upstream])
        try await git(directory, ["clone", "--quiet", upstream, backportRepository])
        try await git(backportRepository, ["checkout", "--quiet", "-b", "main"])
        let scap = backportRepository + "/scap"
        try FileManager.default.createDirectory(atPath: scap, withIntermediateDirectories: true)
        try """
        [global]
        git_repo: mediawiki/core
        lock_file: \(directory)/mediawiki.lock
        server_groups: testservers, canary, production
        testservers_dsh_targets: testservers
        canary_dsh_targets: canaries
        production_dsh_targets: production

        """.write(toFile: scap + "/scap.cfg", atomically: true, encoding: .utf8)
        try "host1\n".write(toFile: scap + "/testservers", atomically: true, encoding: .utf8)
        try "host2\n".write(toFile: scap + "/canaries", atomically: true, encoding: .utf8)
        try "host3\n".write(toFile: scap + "/production", atomically: true, encoding: .utf8)
        try "v1\n".write(toFile: backportRepository + "/version.txt", atomically: true, encoding: .utf8)
        try "scap/log/\n".write(toFile: backportRepository + "/.gitignore", atomically: true, encoding: .utf8)
        try await git(backportRepository, ["add", "-A"])
        try await git(backportRepository, Self.identity + ["commit", "--quiet", "-m", "v1"])
        try await git(backportRepository, ["push", "--quiet", "origin", "main"])
        try await git(backportRepository, ["branch", "--quiet", "--set-upstream-to=origin/main"])
        try await git(directory, ["clone", "--quiet", upstream, directory + "/author"])
    }

    static let identity = ["-c", "user.name=Ada Author", "-c", "user.email=ada@example.org"]

    /// Pushes a change by an author on upstream `main` as `refs/changes/NN/<number>/1`.
    func pushChange(_ number: Int, subject: String, files: [String: String]) async throws {
        let author = directory + "/author"
        try await git(author, ["fetch", "--quiet", "origin"])
        try await git(author, ["checkout", "--quiet", "--detach", "origin/main"])
        for (path, text) in files { try text.write(toFile: author + "/" + path, atomically: true, encoding: .utf8) }
        try await git(author, ["add", "-A"])
        try await git(author, Self.identity + ["commit", "--quiet", "-m", subject])
        let ref = "refs/changes/\(String(format: "%02d", number % 100))/\(number)/1"
        try await git(author, ["push", "--quiet", "origin", "HEAD:" + ref])
    }

    private func git(_ directory: String, _ arguments: [String]) async throws {
        let result = try await run("/usr/bin/git", ["-C", directory] + arguments)
        guard result.status == 0 else { throw TestFailure("git \(arguments): \(result.stderr)") }
    }

    /// `spiderpig ARGS --config CONFIG`.
    func spiderpig(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await run(productPath("spiderpig"), arguments + ["--config", configPath])
    }

    /// Logs `user` (with `groups` at the IdP) in through the IdP and the second factor; returns the client.
    func login(_ user: String, groups: [String], client: WebClient = WebClient()) async throws -> WebClient {
        try await idpLogin(user, groups: groups, client: client)
        let code = try await spiderpig(["otp", "--quiet", "--user", user]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let reply = try await client.send("POST", base + "/api/otp", json: ["code": code])
        guard reply.status == 200 else { throw TestFailure("otp for \(user): \(reply.status) \(reply.text)") }
        client.csrf = reply.json["csrf"] as? String ?? ""
        return client
    }

    /// The IdP part of a login: the client ends with a session that still needs its second factor.
    func idpLogin(_ user: String, groups: [String], client: WebClient) async throws {
        let put = try await client.send("PUT", idpBase + "/users/\(user)", json: ["groups": groups])
        guard put.status == 204 else { throw TestFailure("IdP user: \(put.status) \(put.text)") }
        let start = try await client.send("GET", base + "/auth/login")
        guard start.status == 303, let authorize = start.location else { throw TestFailure("login start: \(start.status)") }
        let form = try await client.send("POST", authorize, form: ["sub": user])
        guard form.status == 302, let callback = form.location else {
            throw TestFailure("IdP authorize: \(form.status) \(form.text)")
        }
        let back = try await client.send("GET", callback)
        guard back.status == 303 else { throw TestFailure("callback: \(back.status) \(back.text)") }
        let whoami = try await client.send("GET", base + "/api/whoami")
        client.csrf = whoami.json["csrf"] as? String ?? ""
    }

    func stop() async {
        server?.signal(SIGTERM)
        if let server { _ = await server.finish(timeout: 10) }
        idp?.kill()
        prometheus?.kill()
        if FileManager.default.fileExists(atPath: directory + "/bed") {
            _ = try? await run(productPath("testbed"), ["stop", "--dir", directory + "/bed"])
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    func run(_ path: String, _ arguments: [String], timeout: Double = 60, environment: [String: String]? = nil)
        async throws -> (status: Int32, stdout: String, stderr: String)
    {
        var environment = environment ?? ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "SUDO_USER")
        let process = try RunningProcess(path, arguments, environment: environment)
        let output = await process.finish(timeout: timeout)
        return (output.status, output.stdout, output.stderr)
    }
}
