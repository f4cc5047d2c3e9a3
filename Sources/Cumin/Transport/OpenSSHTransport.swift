import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// How an ``OpenSSHTransport`` reuses connections between successive commands to the same host.
public enum ConnectionReuse: String, Sendable, Hashable, CaseIterable {
    /// One `ssh` process, handshake and remote session per command (what cumin does).
    case none
    /// OpenSSH multiplexing: the first command leaves a master connection (ControlMaster/ControlPersist in a
    /// private directory); later commands start an `ssh` client that skips the handshake.
    case multiplexed
    /// OpenSSH multiplexing that outlives the run: masters stay up for `persist_connections` seconds (default 600)
    /// with their sockets in the user's private directory (``PersistentConnections``), so later runs of cumin,
    /// cookbooks and scap skip the handshake. `cumin --close-connections` closes them.
    case persistent
    /// One `ssh HOST 'exec /bin/sh'` per host for the whole run: later commands need neither a new `ssh` process
    /// nor a new handshake or remote session. The fastest; each command still runs in `"$SHELL" -c`.
    case session
}

/// Runs commands with the OpenSSH client, so `ssh_config`, the agent, known_hosts and ProxyJump all apply.
///
/// Arguments follow ClusterShell's order, so options from the configuration win (OpenSSH keeps the first value):
/// `ssh <ssh_options> -oForwardAgent=no -oForwardX11=no [-l USER] -oConnectTimeout=N -oBatchMode=yes HOST COMMAND`.
/// See ``ConnectionReuse`` for how successive commands to one host share a connection. A session transport sets
/// SIGPIPE to be ignored in the process, since it writes to pipes of `ssh` processes that may have exited.
public struct OpenSSHTransport: Transport {
    /// The `ssh` executable.
    public let sshPath: String
    /// Options placed before the built-in ones.
    public let options: [String]
    /// The remote user, if set.
    public let user: String?
    /// Seconds allowed to establish the connection.
    public let connectTimeout: Int
    /// Processes in flight at most.
    public let fanout: Int
    /// Extra environment for the `ssh` processes (cumin's `environment`).
    public let environment: [String: String]
    /// How connections are reused between commands.
    public let connectionReuse: ConnectionReuse
    /// The directory holding master-connection sockets (``ConnectionReuse/multiplexed`` only).
    public let controlDirectory: String?
    /// Seconds an idle master connection stays up (``ConnectionReuse/persistent``).
    public let persistSeconds: Int
    /// Live remote shells, one per host (``ConnectionReuse/session`` only).
    let sessions: SessionPool?
    /// Bytes kept per stream and command; more output is dropped.
    public let outputLimit: Int
    /// Whether the remote command's standard error goes into its standard output, on the host (`2>&1`).
    ///
    /// Two streams read from two pipes interleave in the order the reads happen to run, so identical hosts can
    /// show different interleavings (and land in different output groups). Merged on the host, the order is the
    /// order the command wrote in, every time, as cumin shows it (ClusterShell reads one pipe for both). Then
    /// ``TransportResult/stdout`` holds both streams and ``TransportResult/stderr`` only what the `ssh` client itself
    /// says (connection errors). Off by default: the library keeps the streams apart unless asked.
    public let mergesStandardError: Bool

    /// Creates a transport from cumin's configuration.
    /// - Parameters:
    ///   - configuration: the `clustershell` options and `environment` are used.
    ///   - connectionReuse: how successive commands to one host share a connection (default: one session per host).
    ///   - outputLimit: bytes kept per stream and command.
    ///   - mergeStandardError: send the remote command's standard error into its standard output on the host, for
    ///     an interleaving that is the same on every host (see ``mergesStandardError``).
    ///   - persistentDirectory: where persistent masters' sockets live (default ``PersistentConnections/directory(environment:)``);
    ///     it must be private to the user.
    /// - Throws: ``ExecutionError`` when `ssh` cannot be found or the options cannot be split into words.
    public init(
        configuration: Configuration, connectionReuse: ConnectionReuse = .session, outputLimit: Int = 64 << 20,
        mergeStandardError: Bool = false, persistentDirectory: String? = nil
    ) throws(ExecutionError) {
        let settings = configuration.clustershell
        self.sshPath = try Self.resolveExecutable(settings.sshPath ?? "ssh")
        self.options = try shellWords(settings.sshOptions.joined(separator: " "))
        self.user = settings.sshUser
        self.connectTimeout = settings.connectTimeout
        ResourceLimits.raiseOpenFilesLimit()
        self.fanout = max(1, min(settings.fanout, ResourceLimits.maximumConcurrentProcesses()))
        self.environment = configuration.environment
        self.outputLimit = outputLimit
        self.connectionReuse = connectionReuse
        self.mergesStandardError = mergeStandardError
        switch connectionReuse {
        case .multiplexed: self.controlDirectory = try Self.makeControlDirectory()
        case .persistent:
            if let persistentDirectory {
                self.controlDirectory = persistentDirectory
            } else {
                self.controlDirectory = try PersistentConnections.directory()
            }
        case .none, .session: self.controlDirectory = nil
        }
        self.persistSeconds = settings.persistConnections ?? PersistentConnections.defaultSeconds
        self.sessions = connectionReuse == .session ? SessionPool() : nil
        if connectionReuse == .session {
            // Sessions write each command to their ssh's stdin; an ssh that exited (host down) must fail its host
            // with EPIPE, not end the whole process with SIGPIPE.
            signal(SIGPIPE, SIG_IGN)
        }
    }

    /// Creates a transport that reuses connections through sessions (`true`) or not at all (`false`).
    public init(configuration: Configuration, reuseConnections: Bool) throws(ExecutionError) {
        try self.init(configuration: configuration, connectionReuse: reuseConnections ? .session : .none)
    }

    /// The full `ssh` argument list for one command (without the executable).
    public func arguments(host: String, command: String) -> [String] {
        var arguments = options
        arguments += ["-oForwardAgent=no", "-oForwardX11=no"]
        if let user { arguments += ["-l", user] }
        arguments += ["-oConnectTimeout=\(connectTimeout)", "-oBatchMode=yes"]
        if let controlPath = controlPath(for: host) {
            let persist = connectionReuse == .persistent ? persistSeconds : 120
            arguments += ["-oControlMaster=auto", "-oControlPath=\(controlPath)", "-oControlPersist=\(persist)"]
            if connectionReuse == .persistent { PersistentConnections.note(host: host, socket: controlPath) }
        }
        // `--` ends ssh's options: a host name can never be read as one (e.g. `-oProxyCommand=...`).
        arguments += ["--", host, command]
        return arguments
    }

    public func run(_ command: Command, on host: String, output: OutputHandler?) async -> TransportResult {
        if let sessions {
            return await runInSession(command, on: host, output: output, pool: sessions)
        }
        let start = ContinuousClock.now
        let collector = OutputCollector(limit: outputLimit)
        var result = TransportResult()
        if Task.isCancelled {
            result.cancelled = true
            result.problem = "interrupted before start"
            return result
        }
        let remoteCommand = mergesStandardError ? "exec 2>&1; " + command.command : command.command
        // A live persistent master runs the command without an `ssh` process (the master's protocol, in process).
        if connectionReuse == .persistent, let socket = controlPath(for: host), access(socket, F_OK) == 0 {
            let outcome = await ControlMasterClient.run(
                socket: socket, command: remoteCommand, environment: controlEnvironment(), timeout: command.timeout,
                collector: collector, live: output)
            var ran = true
            switch outcome {
            case .exited(let code): result.exitCode = code
            // `ssh` exits with 255 when the session ends without a status (e.g. the command was killed).
            case .ended: result.exitCode = 255
            case .timedOut: result.timedOut = true
            case .cancelled:
                result.cancelled = true
                result.problem = "interrupted"
            case .unavailable: ran = false  // nothing ran: `ssh` below starts a new master
            }
            if ran {
                (result.stdout, result.stderr, result.combined) = collector.take()
                result.duration = ContinuousClock.now - start
                return result
            }
        }
        do {
            let execution = try await Subprocess.run(
                .path(FilePath(sshPath)),
                arguments: Arguments(arguments(host: host, command: remoteCommand)),
                environment: processEnvironment(),
                input: .none,
                output: .sequence,
                error: .sequence
            ) { execution in
                try await Self.drain(execution, timeout: command.timeout, collector: collector, live: output)
            }
            result.timedOut = execution.closureResult
            if case .exited(let code) = execution.terminationStatus, !result.timedOut {
                result.exitCode = code
            } else if case .signaled(let signal) = execution.terminationStatus, !result.timedOut {
                result.problem = "ssh was killed by signal \(signal)"
            }
            if Task.isCancelled && result.exitCode == nil && !result.timedOut {
                result.cancelled = true
                result.problem = "interrupted"
            }
        } catch is CancellationError {
            result.cancelled = true
            result.problem = "interrupted"
        } catch {
            if Task.isCancelled {
                result.cancelled = true
                result.problem = "interrupted"
            } else {
                result.problem = "cannot run \(sshPath): \(error)"
            }
        }
        (result.stdout, result.stderr, result.combined) = collector.take()
        result.duration = ContinuousClock.now - start
        return Self.showingProblem(result)
    }

    /// Adds the transport's own failure (no exit code) to the output, as ssh's own errors are shown.
    private static func showingProblem(_ result: TransportResult) -> TransportResult {
        guard result.exitCode == nil, !result.timedOut, !result.cancelled, let problem = result.problem else {
            return result
        }
        var shown = result
        let line = Array("\(problem)\n".utf8)
        shown.stderr += line
        shown.combined += line
        return shown
    }

    /// Reads both streams to the end; on timeout kills the process. Returns whether it timed out.
    private static func drain(
        _ execution: Execution<NoInput, SequenceOutput, SequenceOutput>, timeout: Duration?,
        collector: OutputCollector, live: OutputHandler?
    ) async throws -> Bool {
        enum Event: Sendable { case drained, timer }
        return try await withThrowingTaskGroup(of: Event.self) { group in
            for (stream, sequence) in [
                (OutputStream.stdout, execution.standardOutput), (.stderr, execution.standardError),
            ] {
                group.addTask {
                    await sequence.forEachChunk { chunk in
                        collector.append(chunk, from: stream)
                        live?(chunk, stream)
                    }
                    return .drained
                }
            }
            if let timeout {
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return .timer
                }
            }
            var open = 2
            var timedOut = false
            while open > 0, let event = try await group.next() {
                switch event {
                case .drained:
                    open -= 1
                case .timer:
                    timedOut = true
                    try? execution.send(signal: .kill)
                }
            }
            group.cancelAll()
            return timedOut
        }
    }

    /// Runs `command` in the host's long-lived remote shell, starting it on first use.
    private func runInSession(_ command: Command, on host: String, output: OutputHandler?, pool: SessionPool) async
        -> TransportResult
    {
        let start = ContinuousClock.now
        let session = pool.session(for: host) {
            RemoteShellSession(
                sshPath: sshPath, arguments: arguments(host: host, command: "exec /bin/sh"),
                environment: processEnvironment(), outputLimit: 2 * outputLimit, mergeStandardError: mergesStandardError)
        }
        enum Outcome: Sendable {
            case reply(RemoteShellSession.Reply)
            case timer
        }
        let outcome: Outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask { .reply(await session.run(command.command, live: output)) }
            if let timeout = command.timeout {
                group.addTask {
                    do {
                        try await Task.sleep(for: timeout)
                        return .timer
                    } catch {
                        return .reply(RemoteShellSession.Reply(sessionEnded: true))
                    }
                }
            }
            let first = await group.next() ?? .timer
            if case .timer = first { session.terminate() }
            group.cancelAll()
            return first
        }
        var result = TransportResult(duration: ContinuousClock.now - start)
        switch outcome {
        case .timer:
            result.timedOut = true
            pool.discard(host, session)
        case .reply(let reply):
            (result.stdout, result.stderr, result.combined) = (reply.stdout, reply.stderr, reply.combined)
            if reply.sessionEnded {
                pool.discard(host, session)
                if Task.isCancelled {
                    result.cancelled = true
                    result.problem = "interrupted"
                } else if reply.outputLimitExceeded {
                    result.problem = "the command wrote more than \(2 * outputLimit) bytes; the session was closed"
                } else {
                    result.exitCode = reply.exitCode
                    if reply.exitCode == nil { result.problem = "the SSH session to \(host) ended unexpectedly" }
                }
            } else {
                result.exitCode = reply.exitCode
            }
        }
        return Self.showingProblem(result)
    }

    /// Closes the connections kept for `hosts`: ends remote shells, or closes master connections and removes
    /// their private socket directory.
    public func shutdown(hosts: [String]) async {
        if let sessions {
            await sessions.closeAll()
            return
        }
        guard let controlDirectory, connectionReuse != .persistent else { return }
        // Only hosts that actually left a master behind (unreachable ones did not) need an `ssh -O exit`.
        let mastered = hosts.filter { controlPath(for: $0).map(FileManager.default.fileExists(atPath:)) ?? false }
        let childEnvironment = processEnvironment()
        await withTaskGroup(of: Void.self) { group in
            var iterator = mastered.makeIterator()
            func startNext() {
                guard let host = iterator.next() else { return }
                let arguments = exitArguments(host: host)
                group.addTask {
                    _ = try? await Subprocess.run(
                        .path(FilePath(sshPath)), arguments: Arguments(arguments),
                        environment: childEnvironment, input: .none,
                        output: .discarded, error: .discarded)
                }
            }
            for _ in 0..<fanout { startNext() }
            while await group.next() != nil { startNext() }
        }
        try? FileManager.default.removeItem(atPath: controlDirectory)
    }

    private func exitArguments(host: String) -> [String] {
        var arguments = options
        if let user { arguments += ["-l", user] }
        arguments += ["-oBatchMode=yes", "-oControlPath=\(controlPath(for: host) ?? "none")", "-O", "exit", "--", host]
        return arguments
    }

    /// The master-connection socket of `host`: one per host name as given, even when several names reach the
    /// same address (OpenSSH's `%C` would share one master between them). Hashed to respect the socket path limit.
    func controlPath(for host: String) -> String? {
        guard let controlDirectory else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        // Persistent masters outlive the run: one per host, user and options, so another configuration never
        // rides on a master made for different options.
        let key = connectionReuse == .persistent ? ([host, user ?? ""] + options).joined(separator: "\u{0}") : host
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return controlDirectory + "/" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The environment an `ssh` client would send its master (`NAME=value`; the master forwards what its
    /// `SendEnv` allows), as ``processEnvironment()`` would give the client.
    private func controlEnvironment() -> [String] {
        var variables = ChildEnvironment.inherited()
        for (name, value) in environment where !ChildEnvironment.withheldVariables.contains(name) {
            variables[name] = value
        }
        return variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// This process's environment with the configured variables set and the secrets of ``ChildEnvironment``
    /// removed (ssh passes its environment on to a ProxyCommand).
    private func processEnvironment() -> Environment {
        ChildEnvironment.subprocess(adding: environment)
    }

    static func resolveExecutable(_ name: String) throws(ExecutionError) -> String {
        if name.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: name) else {
                throw ExecutionError("ssh_path '\(name)' is not an executable file; fix clustershell.ssh_path")
            }
            return name
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ExecutionError("'\(name)' not found on PATH; install openssh-client or set clustershell.ssh_path")
    }

    static func makeControlDirectory() throws(ExecutionError) -> String {
        // Unix socket paths are limited to ~108 bytes: keep the directory short.
        var template = Array("/tmp/cumin-ssh-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let created else {
            throw ExecutionError("cannot create a private directory for SSH master connections in /tmp")
        }
        return created
    }
}
