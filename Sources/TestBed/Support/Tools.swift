import Foundation

/// Locations of the OpenSSH and util-linux programs the bed runs.
enum Tools {
    static func find(_ name: String, environment variable: String, hint: String) throws -> String {
        if let override = ProcessInfo.processInfo.environment[variable], !override.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: override) else {
                throw TestBedError.toolNotFound(
                    tool: "\(name) (\(variable)=\(override))", hint: "point \(variable) at an executable")
            }
            return override
        }
        for directory in ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"] {
            let path = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw TestBedError.toolNotFound(tool: name, hint: hint)
    }

    /// sshd must be run by absolute path (it re-executes itself on SIGHUP).
    static func sshd() throws -> String {
        try find("sshd", environment: "CUMIN_TESTBED_SSHD", hint: "apt-get install openssh-server")
    }

    static func sshKeygen() throws -> String {
        try find("ssh-keygen", environment: "CUMIN_TESTBED_SSH_KEYGEN", hint: "apt-get install openssh-client")
    }

    static func ssh() throws -> String {
        try find("ssh", environment: "CUMIN_TESTBED_SSH", hint: "apt-get install openssh-client")
    }

    static func unshare() throws -> String {
        try find("unshare", environment: "CUMIN_TESTBED_UNSHARE", hint: "apt-get install util-linux")
    }
}
