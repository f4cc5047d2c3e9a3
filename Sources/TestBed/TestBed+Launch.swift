import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Programs used to start an sshd: sshd itself and, with namespaces, unshare.
struct LaunchTools {
    var sshd: String
    var unshare: String?
}

extension TestBed {
    static func identityFile(in directory: String) -> String { directory + "/client/id_ed25519" }
    static func authorizedKeysPath(in directory: String) -> String { directory + "/authorized_keys" }
    static func slowScriptPath(in directory: String) -> String { directory + "/slow.sh" }

    /// Records for every sshd of `configuration` listening on `port` (shared sshd on `port + 1`).
    static func records(_ configuration: TestBedConfiguration, port: Int) -> (hosts: [SSHDRecord], shared: SSHDRecord?)
    {
        let directory = configuration.directory
        let hosts = configuration.hostNames.enumerated().map { index, name in
            SSHDRecord(
                name: name, address: "\(configuration.addressPrefix).\(index + 1)", port: port,
                directory: directory + "/hosts/" + name,
                hostname: configuration.privateHostname ? name : nil)
        }
        let shared =
            configuration.sharedHostCount > 0
            ? SSHDRecord(
                name: "shared", address: "127.0.0.1", port: port + 1, directory: directory + "/shared", hostname: nil)
            : nil
        return (hosts, shared)
    }

    /// Creates directories, keys, authorized_keys and the slow-host script (keys that exist are kept).
    static func prepareFiles(_ configuration: TestBedConfiguration, keygen: String) throws {
        let directory = configuration.directory
        let (hosts, shared) = records(configuration, port: 0)
        let all = hosts + (shared.map { [$0] } ?? [])
        try FileSystem.createDirectory(directory + "/client", mode: 0o700)
        for record in all {
            try FileSystem.createDirectory(record.directory, mode: 0o755)
            try FileSystem.createDirectory(record.homePath, mode: 0o755)
            try FileSystem.createDirectory(record.srvPath, mode: 0o755)
        }
        if geteuid() == 0 && !FileManager.default.fileExists(atPath: "/run/sshd") {
            // sshd's privilege-separation directory (Debian's path); root-owned, not group/world-writable.
            try FileSystem.createDirectory("/run/sshd", mode: 0o755)
        }
        if configuration.privateSrv && !FileManager.default.fileExists(atPath: "/srv") {
            try FileSystem.createDirectory("/srv", mode: 0o755)
        }
        let keys =
            [(identityFile(in: directory), "testbed client")]
            + all.map { ($0.hostKeyPath, "testbed host key of \($0.name)") }
        try generateKeys(keys, keygen: keygen)
        guard let publicKey = FileSystem.read(identityFile(in: directory) + ".pub") else {
            throw TestBedError.fileSystem(
                path: identityFile(in: directory) + ".pub", reason: "client public key missing")
        }
        try FileSystem.write(publicKey, to: authorizedKeysPath(in: directory), mode: 0o600)
        try FileSystem.write(GeneratedFiles.slowScript, to: slowScriptPath(in: directory), mode: 0o755)
    }

    /// Generates the missing ed25519 keys, eight ssh-keygen processes at a time.
    static func generateKeys(_ keys: [(path: String, comment: String)], keygen: String) throws {
        let missing = keys.filter {
            !FileManager.default.fileExists(atPath: $0.path)
                || !FileManager.default.fileExists(atPath: $0.path + ".pub")
        }
        let batchSize = 8
        for start in stride(from: 0, to: missing.count, by: batchSize) {
            let batch = missing[start..<min(start + batchSize, missing.count)]
            var running: [(pid: pid_t, arguments: [String])] = []
            for key in batch {
                unlink(key.path)
                unlink(key.path + ".pub")
                let arguments = ["-q", "-t", "ed25519", "-N", "", "-C", key.comment, "-f", key.path]
                running.append((try ChildProcess.spawn(keygen, arguments), arguments))
            }
            for child in running {
                var status: Int32 = 0
                let exited = pollUntil(timeout: 30, interval: 0.002) {
                    waitpid(child.pid, &status, WNOHANG) == child.pid
                }
                if !exited {
                    kill(child.pid, SIGKILL)
                    waitpid(child.pid, &status, 0)
                    throw TestBedError.commandTimeout(
                        command: "ssh-keygen " + child.arguments.joined(separator: " "), seconds: 30)
                }
                if ChildProcess.exitCode(fromWaitStatus: status) != 0 {
                    // Run it again in the foreground to report what went wrong.
                    try ChildProcess.check(keygen, child.arguments)
                }
            }
        }
    }

    static func writeSSHDConfig(for record: SSHDRecord, directory: String) throws {
        let text = GeneratedFiles.sshdConfig(
            for: record, authorizedKeys: authorizedKeysPath(in: directory), slowScript: slowScriptPath(in: directory))
        try FileSystem.write(text, to: record.configPath, mode: 0o644)
    }

    /// Writes the configurations, starts every sshd and waits until all listen; retries on another port when
    /// the port was chosen automatically and another process took it meanwhile.
    static func launchBed(_ configuration: TestBedConfiguration, tools: LaunchTools) throws -> TestBed {
        let directory = configuration.directory
        let user = currentUserName()
        var nextCandidate = firstAutomaticPort
        let maximumAttempts = configuration.port == nil ? 8 : 1
        for attempt in 0..<maximumAttempts {
            let port = try configuration.port ?? findFreePort(from: nextCandidate, configuration)
            let (hosts, shared) = records(configuration, port: port)
            if configuration.port != nil {
                // An explicit port: name the first taken address, in host order, before starting anything.
                for record in hosts + (shared.map { [$0] } ?? []) where !Loopback.canBind(record.address, record.port) {
                    throw TestBedError.addressInUse(address: record.address, port: record.port)
                }
            }
            var state = TestBedState(configuration: configuration, port: port, user: user, hosts: hosts, shared: shared)
            for record in state.allRecords {
                try writeSSHDConfig(for: record, directory: directory)
            }
            if attempt == 0, let first = state.allRecords.first {
                try ChildProcess.check(tools.sshd, ["-t", "-f", first.configPath], timeout: 30)
            }
            var pending: [(SSHDRecord, UInt64)] = []
            do {
                for index in state.hosts.indices {
                    let offset = try launch(&state.hosts[index], configuration: configuration, tools: tools)
                    pending.append((state.hosts[index], offset))
                }
                if state.shared != nil, var record = state.shared {
                    let offset = try launch(&record, configuration: configuration, tools: tools)
                    state.shared = record
                    pending.append((record, offset))
                }
                try state.save(to: directory)
                try waitUntilListening(pending, timeout: configuration.startTimeout)
                try writeClientFiles(state)
                return TestBed(attachingTo: state)
            } catch {
                ProcessTable.terminate(state.allRecords.compactMap(\.process))
                TestBedState.remove(from: directory)
                if case .addressInUse = error as? TestBedError, configuration.port == nil {
                    nextCandidate = port + 2
                    continue
                }
                throw error
            }
        }
        throw TestBedError.noFreePort(range: firstAutomaticPort...nextCandidate)
    }

    /// The first port from `start` on (even steps) free on every address the bed needs.
    static func findFreePort(from start: Int, _ configuration: TestBedConfiguration) throws -> Int {
        let (hosts, shared) = records(configuration, port: 0)
        let last = min(start + 4000, 65532)
        for candidate in stride(from: start, through: last, by: 2) {
            let hostsFree = hosts.allSatisfy { Loopback.canBind($0.address, candidate) }
            if hostsFree && (shared == nil || Loopback.canBind(shared?.address ?? "127.0.0.1", candidate + 1)) {
                return candidate
            }
        }
        throw TestBedError.noFreePort(range: start...last)
    }

    /// Starts the sshd of `record` in the background (new session, namespaces as configured) and records its
    /// PID; returns the log size before the start so errors can be read from there.
    static func launch(_ record: inout SSHDRecord, configuration: TestBedConfiguration, tools: LaunchTools) throws
        -> UInt64
    {
        unlink(record.pidFilePath)
        let offset = FileSystem.size(record.logPath)
        let log = open(record.logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else {
            throw TestBedError.fileSystem(
                path: record.logPath, reason: "cannot open log: \(String(cString: strerror(errno)))")
        }
        defer { close(log) }
        let sshdArguments = [tools.sshd, "-D", "-f", record.configPath, "-E", record.logPath]
        let executable: String
        let arguments: [String]
        if let unshare = tools.unshare, configuration.privateSrv || record.hostname != nil {
            // unshare and sh exec in place, so the PID recorded here is the sshd listener's.
            let script = """
                if [ -n "$1" ]; then mount --bind "$1" /srv || exit 97; fi
                if [ -n "$2" ]; then echo "$2" > /proc/sys/kernel/hostname || exit 98; fi
                shift 2
                exec "$@"
                """
            var flags: [String] = []
            if configuration.privateSrv { flags += ["--mount", "--propagation", "private"] }
            if record.hostname != nil { flags += ["--uts"] }
            executable = unshare
            arguments =
                flags + ["/bin/sh", "-c", script, "testbed-\(record.name)"]
                + [configuration.privateSrv ? record.srvPath : "", record.hostname ?? ""] + sshdArguments
        } else {
            executable = tools.sshd
            arguments = Array(sshdArguments.dropFirst())
        }
        let pid = try ChildProcess.spawn(executable, arguments, stdout: log, stderr: log)
        record.process = ProcessTable.identity(of: pid) ?? ProcessIdentity(pid: pid, startTime: nil)
        return offset
    }

    /// Whether the sshd of `record` has bound its socket: sshd writes its pid file right after listening.
    static func isListening(_ record: SSHDRecord) -> Bool {
        guard let pid = record.process?.pid, let text = FileSystem.read(record.pidFilePath) else { return false }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) == pid
    }

    /// Waits until every sshd in `pending` listens; throws with the log tail of the first that exits or is late.
    static func waitUntilListening(_ pending: [(record: SSHDRecord, logOffset: UInt64)], timeout: Double) throws {
        var remaining = pending
        let done = try pollUntil(timeout: timeout, interval: 0.005) {
            remaining = try remaining.filter { item in
                if isListening(item.record) { return false }
                if let process = item.record.process, ProcessTable.isAlive(process) { return true }
                let tail = FileSystem.tail(item.record.logPath, from: item.logOffset)
                if tail.contains("Address already in use") {
                    throw TestBedError.addressInUse(address: item.record.address, port: item.record.port)
                }
                throw TestBedError.sshdFailed(host: item.record.name, logPath: item.record.logPath, logTail: tail)
            }
            return remaining.isEmpty
        }
        if !done, let late = remaining.first {
            throw TestBedError.startTimeout(
                host: late.record.name, seconds: timeout, logPath: late.record.logPath,
                logTail: FileSystem.tail(late.record.logPath, from: late.logOffset))
        }
    }

    /// Writes ssh_config, the host lists and env.sh of a started bed.
    static func writeClientFiles(_ state: TestBedState) throws {
        let directory = state.configuration.directory
        let bed = TestBed(attachingTo: state)
        try FileSystem.write(
            GeneratedFiles.sshConfig(state: state, identityFile: identityFile(in: directory)),
            to: directory + "/ssh_config")
        try FileSystem.write(bed.hosts.map { $0 + "\n" }.joined(), to: directory + "/hosts.txt")
        try FileSystem.write(bed.sharedHosts.map { $0 + "\n" }.joined(), to: directory + "/shared-hosts.txt")
        let exports = bed.environment.map { "export \($0.name)=\(shellQuoted($0.value))\n" }.joined()
        try FileSystem.write(exports, to: directory + "/env.sh")
    }

    /// Stops every recorded sshd of `state` and removes the state file.
    static func stopProcesses(of state: TestBedState, in directory: String) throws {
        let survivors = ProcessTable.terminate(state.allRecords.compactMap(\.process))
        for record in state.allRecords { unlink(record.pidFilePath) }
        guard survivors.isEmpty else {
            throw TestBedError.signalTimeout(
                host: "bed \(directory)", pid: survivors[0], signal: "SIGKILL", seconds: 5)
        }
        TestBedState.remove(from: directory)
    }

    /// Runs `body` on the recorded state of per-host sshd `name` under both locks, saving the state afterwards
    /// (also when `body` throws, so that any process it started stays recorded).
    func withHost(_ name: String, _ body: (inout TestBedState, Int) throws -> Void) throws {
        try withStateLock {
            guard var state = try TestBedState.load(from: directory) else {
                throw TestBedError.notRunning(directory: directory)
            }
            guard let index = state.hosts.firstIndex(where: { $0.name == name }) else {
                if sharedHosts.contains(name) {
                    throw TestBedError.unsupported(
                        host: name,
                        reason: "served by the shared sshd with \(sharedHosts.count - 1) other names; "
                            + "fault injection needs a host with its own sshd (\(hostsExpression))")
                }
                throw TestBedError.unknownHost(name: name, known: hosts + sharedHosts)
            }
            do {
                try body(&state, index)
            } catch {
                try? state.save(to: directory)
                throw error
            }
            try state.save(to: directory)
        }
    }

    private func withStateLock(_ body: () throws -> Void) throws {
        try lock.withLock {
            guard FileManager.default.fileExists(atPath: TestBedState.path(in: directory)) else {
                throw TestBedError.notRunning(directory: directory)
            }
            try FileSystem.withLock(in: directory, body)
        }
    }

    static func runningProcess(of record: SSHDRecord) throws -> ProcessIdentity {
        guard let process = record.process, ProcessTable.isAlive(process) else {
            throw TestBedError.unsupported(
                host: record.name, reason: "is down: start it first (testbed up \(record.name))")
        }
        return process
    }

    static func currentUserName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }

    /// `names` as `prefix[first-last]` when they are a numbered run, otherwise comma-separated.
    static func fold(_ names: [String]) -> String {
        guard names.count > 1, let first = names.first, let last = names.last else { return names.first ?? "" }
        let prefix = String(first.prefix(while: { !$0.isNumber }))
        let firstNumber = first.dropFirst(prefix.count)
        let lastNumber = last.dropFirst(prefix.count)
        guard last.hasPrefix(prefix), let low = Int(firstNumber), let high = Int(lastNumber),
            high - low + 1 == names.count
        else { return names.joined(separator: ",") }
        return "\(prefix)[\(firstNumber)-\(lastNumber)]"
    }

    static func shellQuoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
