import Foundation
import NodeSet
import Testing

@testable import Cumin

/// A host name must never be read by ssh as an option: `-oProxyCommand=...` in a known_hosts file once ran a
/// command as the user running cumin.
@Suite struct HostNameTests {
    let directory = NSTemporaryDirectory() + "cumin-hostname-\(UUID().uuidString)"

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    @Test func theRule() {
        #expect(HostName.problem("db1001.eqiad.wmnet") == nil)
        #expect(HostName.problem("-oProxyCommand=x")?.contains("starts with '-'") == true)
        #expect(HostName.problem("a\nb") != nil)
        #expect(HostName.problem("a b") != nil)
        #expect(HostName.problem("") != nil)
    }

    @Test func knownHostsEntryStartingWithADashIsRefusedWithFileAndLine() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/known_hosts"
        try "host1 ssh-ed25519 AAAA\n-oProxyCommand=/tmp/x.sh ssh-ed25519 AAAA\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        #expect {
            _ = try KnownHostsBackend(files: [file])
        } throws: { error in
            ((error as? QueryError)?.message ?? "").hasPrefix("\(file):2: host name '-oProxyCommand=/tmp/x.sh'")
        }
    }

    @Test func directBackendAndExecutorRefuseOptionLikeHosts() async throws {
        #expect(throws: QueryError.self) { try DirectBackend().execute(query: "-Jevil.example.org") }
        let transport = ScriptedTransport { _, _ in .init(output: "ran\n") }
        var hosts = NodeSet()
        hosts.insert("-oProxyCommand=touch x")
        await #expect(throws: ExecutionError.self) {
            _ = try await Executor(transport: transport).run([Command("true")], on: hosts)
        }
        #expect(transport.log.hosts(for: "true").isEmpty)
    }

    /// With `--` before the host, the real OpenSSH client never runs a ProxyCommand from the host name, even if
    /// a name slipped past every check.
    @Test(arguments: ConnectionReuse.allCases)
    func sshReadsTheHostAsAHostNotAnOption(reuse: ConnectionReuse) async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let marker = directory + "/proxy-ran"
        var configuration = Configuration()
        configuration.clustershell.sshOptions = ["-F /dev/null", "-o ConnectTimeout=2"]
        let transport = try OpenSSHTransport(configuration: configuration, connectionReuse: reuse)
        let host = "-oProxyCommand=touch \(marker)"
        let arguments = transport.arguments(host: host, command: "true")
        #expect(arguments.suffix(3) == ["--", host, "true"])
        let result = await transport.run(Command("true", timeout: .seconds(20)), on: host, output: nil)
        await transport.shutdown(hosts: [host])
        #expect(result.exitCode != 0)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}

/// Configuration errors name the file and line: a bad `default_backend`, and YAML that expands too far.
@Suite struct ConfigurationPlaceTests {
    @Test func badDefaultBackendNamesFileAndLine() throws {
        #expect {
            _ = try Configuration.parse(yaml: "transport: clustershell\ndefault_backend: d\\irect\n", path: "/etc/cumin/c.yaml")
        } throws: { error in
            (error as? ConfigurationError)?.description.hasPrefix("/etc/cumin/c.yaml:2:18: key 'default_backend'") == true
        }
        // A well-formed but unknown name is traced to where it was set when a query needs it.
        let config = try Configuration.parse(yaml: "default_backend: nosuch\n", path: "/etc/cumin/c.yaml")
        #expect {
            _ = try Query(configuration: config).execute("host1")
        } throws: { error in
            ((error as? QueryError)?.message ?? "").contains("set at /etc/cumin/c.yaml:1:18")
        }
    }

    @Test func billionLaughsConfigurationIsRefusedWithThePlace() throws {
        var lines = ["a0: &a0 [\"lol\"]"]
        for level in 1...9 {
            lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ",") + "]")
        }
        #expect {
            _ = try Configuration.parse(yaml: lines.joined(separator: "\n"), path: "/etc/cumin/c.yaml")
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.path == "/etc/cumin/c.yaml" && error?.line != nil
                && error?.message.contains("more than 1000000 nodes") == true
        }
    }
}
