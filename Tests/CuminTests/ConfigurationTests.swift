import Cumin
import Testing

@Suite struct ConfigurationTests {
    @Test func readsCuminKeys() throws {
        let config = try Configuration.parse(
            yaml: """
                transport: clustershell
                log_file: ~/.cumin/cumin.log
                default_backend: direct
                environment:
                  SSH_AUTH_SOCK: /run/keyholder/proxy.sock
                clustershell:
                  ssh_options:
                    - '-F /etc/cumin/ssh_config'
                    - |
                        -o StrictHostKeyChecking=no
                        -o "UserKnownHostsFile=/dev/null"
                  fanout: 16
                  ssh_user: deploy
                knownhosts:
                  files: [/etc/ssh/ssh_known_hosts]
                puppetdb:
                  host: puppetdb.local
                """, path: "config.yaml")
        #expect(config.defaultBackend == "direct")
        #expect(config.clustershell.fanout == 16)
        #expect(config.clustershell.sshUser == "deploy")
        #expect(config.clustershell.sshOptions.count == 2)
        #expect(config.environment["SSH_AUTH_SOCK"] == "/run/keyholder/proxy.sock")
        #expect(config.knownHostsFiles == ["/etc/ssh/ssh_known_hosts"])
        #expect(config.ignoredSections == ["puppetdb"])
        #expect(config.logFile?.hasPrefix("~") == false)
    }

    @Test(arguments: [
        ("fanout: 8\n", "key 'fanout': unknown key"),
        ("clustershell:\n  fanout: -1\n", "config.yaml:2:11: key 'clustershell.fanout': expected a positive integer"),
        ("transport: [a, b]\n", "config.yaml:1:12: key 'transport': expected a single value"),
        ("clustershell: [\n", "config.yaml:2:1: invalid YAML"),
    ])
    func reportsWhereTheProblemIs(yaml: String, expected: String) {
        #expect(throws: ConfigurationError.self) { try Configuration.parse(yaml: yaml, path: "config.yaml") }
        do {
            _ = try Configuration.parse(yaml: yaml, path: "config.yaml")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func missingFileSaysWhatToDo() {
        #expect(throws: ConfigurationError.self) { try Configuration.load(path: "/nonexistent/cumin.yaml") }
    }
}
