import Cumin
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSH
import Synchronization

/// Runs commands over SSH in process, on swift-nio-ssh: one TCP connection per host, one session channel per
/// command, every connection on one event loop.
///
/// Configuration comes from cumin's `clustershell` section like the OpenSSH transport's: `ssh_options` (`-F`,
/// `-o`, `-i`, `-p`, `-l`), `ssh_user`, `connect_timeout`, `fanout`. Keys are OpenSSH key files (ed25519, ECDSA);
/// host keys are checked against known_hosts with OpenSSH's StrictHostKeyChecking meanings. A host the native
/// transport cannot serve (ProxyJump, an agent-only or RSA key, ...) runs through ``OpenSSHTransport`` instead;
/// ``notes()`` sums those up. Output is bounded per stream and command as in the OpenSSH transport; a timeout or a
/// cancelled task closes the host's connection at once.
public final class NativeSSHTransport: Transport, Sendable {
    /// Commands in flight at most (`fanout`).
    public let fanout: Int
    /// The ssh_config in effect.
    public let sshConfig: SSHConfig
    /// Seconds allowed for connect + handshake + authentication when ssh_config sets no ConnectTimeout.
    public let connectTimeout: Int
    /// Bytes kept per stream and command.
    public let outputLimit: Int
    /// Whether each command's standard error goes into its standard output on the host (`exec 2>&1`), as the
    /// OpenSSH transport does when asked, so that output is grouped identically over both transports.
    public let mergesStandardError: Bool
    private let remoteUser: String?
    private let logger: Logger
    private let passphrase: @Sendable (String) -> String?
    private let fallback: Result<OpenSSHTransport, ExecutionError>
    private let group: any EventLoopGroup

    private struct State {
        var connections: [String: EventLoopFuture<any Channel>] = [:]
        var keys: [String: KeyLoad] = [:]
        var knownHosts: [[String]: KnownHosts] = [:]
        var fallbackHosts: [String: String] = [:]
        /// Hosts whose connection was closed because the server stopped answering keepalives.
        var unresponsive: Set<String> = []
    }
    private enum KeyLoad: Sendable {
        case key(NIOSSHPrivateKey)
        case unusable(String)
    }
    private let state = Mutex(State())

    /// Creates the transport.
    /// - Parameters:
    ///   - configuration: cumin's configuration.
    ///   - connectionReuse: how the OpenSSH transport used for fallback hosts reuses connections.
    ///   - outputLimit: bytes kept per stream and command.
    ///   - mergeStandardError: send each command's standard error into its standard output on the host (also on
    ///     hosts that go through OpenSSH).
    ///   - passphrase: the passphrase of an encrypted key file (called once per file); `nil` sends that key's hosts
    ///     to OpenSSH (whose agent may hold it).
    ///   - logger: debug messages: fallbacks and their reasons, connection failures.
    public init(
        configuration: Configuration, connectionReuse: ConnectionReuse = .none, outputLimit: Int = 64 << 20,
        mergeStandardError: Bool = false,
        passphrase: @escaping @Sendable (String) -> String? = NativeSSHTransport.environmentPassphrase,
        logger: Logger = Logger(label: "cumin.native-ssh")
    ) throws(ExecutionError) {
        let settings = configuration.clustershell
        let words = try shellWords(settings.sshOptions.joined(separator: " "))
        var config = SSHConfig(sshOptions: words)
        // cumin's own options follow ssh_options on OpenSSH's command line, so ssh_options win.
        if let user = settings.sshUser { config.prepend(keyword: "user", value: user) }
        config.prepend(keyword: "connecttimeout", value: String(settings.connectTimeout))
        config.prepend(keyword: "batchmode", value: "yes")
        self.sshConfig = config
        self.remoteUser = settings.sshUser
        self.connectTimeout = settings.connectTimeout
        ResourceLimits.raiseOpenFilesLimit()
        self.fanout = max(1, min(settings.fanout, 10_000))
        self.outputLimit = outputLimit
        self.mergesStandardError = mergeStandardError
        self.passphrase = passphrase
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup.singleton
        do {
            self.fallback = .success(
                try OpenSSHTransport(
                    configuration: configuration, connectionReuse: connectionReuse, outputLimit: outputLimit,
                    mergeStandardError: mergeStandardError))
        } catch {
            self.fallback = .failure(error)
        }
        for warning in config.warnings { logger.debug("ssh_config: \(warning)") }
    }

    /// The passphrase in `CUMIN_SSH_KEY_PASSPHRASE`, if set (for every encrypted key file).
    public static let environmentPassphrase: @Sendable (String) -> String? = { _ in
        ProcessInfo.processInfo.environment["CUMIN_SSH_KEY_PASSPHRASE"]
    }

    // MARK: - Running

    /// Runs `command` on `host`'s connection (made on first use), or through OpenSSH for a host that needs it.
    public func run(_ command: Command, on host: String, output: OutputHandler?) async -> TransportResult {
        let start = ContinuousClock.now
        if Task.isCancelled {
            return TransportResult(cancelled: true, problem: "interrupted before start")
        }
        let settings = sshConfig.resolve(host: host)
        if let reason = settings.fallbackReason {
            return await runThroughOpenSSH(command, on: host, output: output, reason: reason)
        }
        let keys: [NIOSSHPrivateKey]
        switch loadKeys(settings) {
        case .success(let loaded): keys = loaded
        case .failure(let reason):
            return await runThroughOpenSSH(command, on: host, output: output, reason: reason.text)
        }
        let collector = OutputCollector(limit: outputLimit)

        enum Event: Sendable {
            case finished(Result<ChannelOutcome, NativeSSHFailureOrError>)
            case timer
        }
        let event: Event = await withTaskGroup(of: Event.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    let text = self.mergesStandardError ? "exec 2>&1; " + command.command : command.command
                    return .finished(await self.execute(text, host: host, settings: settings, keys: keys,
                                                 collector: collector, live: output))
                } onCancel: {
                    self.closeConnection(host)
                }
            }
            if let timeout = command.timeout {
                group.addTask {
                    do {
                        try await Task.sleep(for: timeout)
                        return .timer
                    } catch {
                        return .finished(.failure(.other("interrupted")))
                    }
                }
            }
            let first = await group.next() ?? .timer
            if case .timer = first {
                closeConnection(host)
            }
            group.cancelAll()
            // The work ends promptly once its connection is closed.
            while await group.next() != nil {}
            return first
        }

        var result = TransportResult()
        switch event {
        case .timer:
            result.timedOut = true
        case .finished(.success(let outcome)):
            if Task.isCancelled && outcome.exitStatus == nil {
                result.cancelled = true
                result.problem = "interrupted"
            } else if let status = outcome.exitStatus {
                result.exitCode = Int32(truncatingIfNeeded: status)
            } else if outcome.refused {
                result.exitCode = 255
                result.problem = "the server refused to run the command"
            } else {
                // Killed by a signal, or the session ended without a status: ssh exits with 255 then.
                result.exitCode = 255
                if let unresponsive = unresponsiveProblem(host) {
                    result.problem = unresponsive
                } else if outcome.exitSignal == nil {
                    result.problem = "the SSH session to \(host) ended without an exit status"
                }
            }
        case .finished(.failure(let failure)):
            if case .native(.fallback(let reason)) = failure {
                return await runThroughOpenSSH(command, on: host, output: output, reason: reason)
            }
            // OpenSSH would go on with the agent's keys (IdentitiesOnly no): let it.
            if case .native(.authentication) = failure, !settings.identitiesOnly, !Task.isCancelled,
                ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"] != nil
            {
                return await runThroughOpenSSH(
                    command, on: host, output: output, reason: "key files refused, trying the agent")
            }
            if Task.isCancelled {
                result.cancelled = true
                result.problem = "interrupted"
            } else {
                result.exitCode = 255
                result.problem = unresponsiveProblem(host) ?? failure.message(host: host, settings: settings)
            }
        }
        (result.stdout, result.stderr, result.combined) = collector.take()
        if result.exitCode != nil, let problem = result.problem {
            let line = Array("\(problem)\n".utf8)
            result.stderr += line
            result.combined += line
        }
        result.duration = ContinuousClock.now - start
        return result
    }

    /// OpenSSH's message when the host's connection was closed for want of keepalive answers (once).
    private func unresponsiveProblem(_ host: String) -> String? {
        state.withLock { $0.unresponsive.remove(host) } == nil ? nil : "Timeout, server \(host) not responding."
    }

    /// Gets (or makes) the host's connection and runs the command on a new channel.
    private func execute(
        _ command: String, host: String, settings: HostSettings, keys: [NIOSSHPrivateKey],
        collector: OutputCollector, live: OutputHandler?
    ) async -> Result<ChannelOutcome, NativeSSHFailureOrError> {
        let connection = self.connection(host: host, settings: settings, keys: keys)
        let channel: any Channel
        do {
            channel = try await connection.get()
        } catch {
            forget(host, connection)
            return .failure(NativeSSHFailureOrError(error))
        }
        let environment = Self.environment(matching: settings.sendEnvironment)
        let done = channel.eventLoop.makePromise(of: ChannelOutcome.self)
        let created = channel.eventLoop.makePromise(of: (any Channel).self)
        channel.eventLoop.execute {
            do {
                let ssh = try channel.pipeline.syncOperations.handler(type: NIOSSHHandler.self)
                ssh.createChannel(created) { child, _ in
                    child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.addHandler(
                            ExecHandler(
                                command: command, environment: environment, collector: collector, live: live,
                                done: done))
                    }
                }
            } catch {
                created.fail(error)
            }
        }
        created.futureResult.whenFailure { done.fail($0) }
        do {
            return .success(try await done.futureResult.get())
        } catch {
            forget(host, connection)
            return .failure(NativeSSHFailureOrError(error))
        }
    }

    /// The host's ready (authenticated) connection, shared by the commands of a run.
    private func connection(host: String, settings: HostSettings, keys: [NIOSSHPrivateKey])
        -> EventLoopFuture<any Channel>
    {
        let loop = group.next()
        let promise = loop.makePromise(of: (any Channel).self)
        let existing: EventLoopFuture<any Channel>? = state.withLock { state in
            if let existing = state.connections[host] { return existing }
            state.connections[host] = promise.futureResult
            return nil
        }
        if let existing {
            promise.fail(NativeSSHFailure.closed)
            return existing
        }
        connect(on: loop, host: host, settings: settings, keys: keys).cascade(to: promise)
        return promise.futureResult
    }

    private func connect(on loop: any EventLoop, host: String, settings: HostSettings, keys: [NIOSSHPrivateKey])
        -> EventLoopFuture<any Channel>
    {
        let ready = loop.makePromise(of: Void.self)
        let timeout = TimeAmount.seconds(Int64(settings.connectTimeout ?? connectTimeout))
        let user = settings.user ?? remoteUser ?? ProcessInfo.processInfo.userName
        let hostName = settings.hostName ?? settings.host
        let check = hostKeyCheck(settings: settings, hostName: hostName)
        let interval = settings.serverAliveInterval
        let countMax = max(0, settings.serverAliveCountMax)
        let giveUp: @Sendable () -> Void = { [weak self] in
            _ = self?.state.withLock { $0.unresponsive.insert(host) }
        }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelOption(ChannelOptions.socket(SocketOptionLevel(IPPROTO_TCP), TCP_NODELAY), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let ssh = NIOSSHHandler(
                        role: .client(
                            SSHClientConfiguration(
                                userAuthDelegate: KeyAuthenticationDelegate(user: user, keys: keys),
                                serverAuthDelegate: HostKeyDelegate(check: check))),
                        allocator: channel.allocator, inboundChildChannelInitializer: nil)
                    let keepalive =
                        interval > 0
                        ? KeepaliveHandler(interval: .seconds(Int64(interval)), countMax: countMax, giveUp: giveUp)
                        : nil
                    if let keepalive { try channel.pipeline.syncOperations.addHandler(keepalive) }
                    try channel.pipeline.syncOperations.addHandler(ssh)
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionStateHandler(ready: ready, keepalive: keepalive))
                }
            }
        let deadline = loop.scheduleTask(in: timeout) {
            ready.fail(NativeSSHFailureOrError.connectTimeout)
        }
        let connected = bootstrap.connect(host: hostName, port: settings.port)
        connected.whenFailure { ready.fail($0) }
        ready.futureResult.whenComplete { _ in deadline.cancel() }
        return connected.flatMap { channel in
            ready.futureResult.map { channel }.flatMapErrorThrowing { error in
                channel.close(promise: nil)
                throw error
            }
        }
    }

    /// Closes the host's connection now (timeout, Ctrl-C), failing whatever runs on it.
    private func closeConnection(_ host: String) {
        let connection = state.withLock { $0.connections.removeValue(forKey: host) }
        connection?.whenSuccess { $0.close(promise: nil) }
    }

    /// Drops a failed connection so that the host's next command connects again.
    private func forget(_ host: String, _ connection: EventLoopFuture<any Channel>) {
        state.withLock { state in
            if state.connections[host] === connection { state.connections.removeValue(forKey: host) }
        }
        connection.whenSuccess { channel in
            if !channel.isActive { channel.close(promise: nil) }
        }
    }

    /// Closes every connection of the run (and the OpenSSH fallback's).
    public func shutdown(hosts: [String]) async {
        let connections = state.withLock { state in
            defer { state.connections.removeAll() }
            return Array(state.connections.values)
        }
        for connection in connections {
            if let channel = try? await connection.get() { try? await channel.close() }
        }
        if case .success(let fallback) = fallback { await fallback.shutdown(hosts: hosts) }
    }

    /// One line per fallback reason, e.g. `12 hosts through OpenSSH: ProxyJump`.
    public func notes() -> [String] {
        let hosts = state.withLock { $0.fallbackHosts }
        guard !hosts.isEmpty else { return [] }
        var byReason: [String: Int] = [:]
        for reason in hosts.values { byReason[reason, default: 0] += 1 }
        return byReason.sorted { $0.key < $1.key }.map { reason, count in
            "\(count) host\(count == 1 ? "" : "s") through OpenSSH: \(reason)"
        }
    }

    /// The hosts that went through OpenSSH, with the reason.
    public var fallbackHosts: [String: String] { state.withLock { $0.fallbackHosts } }

    // MARK: - Fallback

    private func runThroughOpenSSH(_ command: Command, on host: String, output: OutputHandler?, reason: String)
        async -> TransportResult
    {
        let first = state.withLock { $0.fallbackHosts.updateValue(reason, forKey: host) == nil }
        if first { logger.debug("\(host): through OpenSSH: \(reason)") }
        switch fallback {
        case .success(let transport):
            return await transport.run(command, on: host, output: output)
        case .failure(let error):
            let message = "\(host) needs OpenSSH (\(reason)), which is not available: \(error.message)"
            let line = Array((message + "\n").utf8)
            return TransportResult(stderr: line, combined: line, problem: message)
        }
    }

    // MARK: - Keys

    /// The in-process keys for a host, or why there are none (then the host goes through OpenSSH).
    private func loadKeys(_ settings: HostSettings) -> Result<[NIOSSHPrivateKey], FallbackReason> {
        let home = sshConfig.home
        let files =
            settings.identityFiles.isEmpty
            ? ["id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk"].map { "\(home)/.ssh/\($0)" }
            : settings.identityFiles
        var keys: [NIOSSHPrivateKey] = []
        var reasons: [String] = []
        for file in files {
            switch key(at: file, explicit: !settings.identityFiles.isEmpty) {
            case .key(let key): keys.append(key)
            case .unusable(let reason): if !reason.isEmpty { reasons.append(reason) }
            }
        }
        if keys.isEmpty {
            return .failure(FallbackReason(reasons.first ?? "no key file (agent only)"))
        }
        return .success(keys)
    }

    private func key(at path: String, explicit: Bool) -> KeyLoad {
        if let cached = state.withLock({ $0.keys[path] }) { return cached }
        let load: KeyLoad
        if !FileManager.default.fileExists(atPath: path) {
            load = .unusable(explicit ? "key file \(path) missing (agent only)" : "")
        } else {
            do {
                load = .key(try OpenSSHPrivateKey(path: path, passphrase: nil).key)
            } catch .passphraseRequired {
                if let passphrase = passphrase(path) {
                    do {
                        load = .key(try OpenSSHPrivateKey(path: path, passphrase: passphrase).key)
                    } catch {
                        logger.debug("\(error)")
                        load = .unusable("encrypted key \(path): \(error)")
                    }
                } else {
                    load = .unusable("encrypted key without passphrase")
                }
            } catch .unsupportedKeyType(_, let type) {
                load = .unusable(type.hasPrefix("ssh-rsa") ? "RSA key" : "\(type) key")
            } catch .notOpenSSHFormat {
                load = .unusable("key not in OpenSSH format")
            } catch {
                logger.debug("\(error)")
                load = .unusable("unreadable key \(path)")
            }
        }
        state.withLock { $0.keys[path] = load }
        return load
    }

    // MARK: - Host keys

    /// The host-key check of one connection: known_hosts plus StrictHostKeyChecking.
    private func hostKeyCheck(settings: HostSettings, hostName: String) -> @Sendable (NIOSSHPublicKey)
        -> NativeSSHFailure?
    {
        let files = settings.userKnownHostsFiles + settings.globalKnownHostsFiles
        let known = state.withLock { state in
            if let cached = state.knownHosts[files] { return cached }
            let loaded = KnownHosts(files: files)
            state.knownHosts[files] = loaded
            return loaded
        }
        let name = settings.hostKeyAlias?.lowercased() ?? KnownHosts.lookupName(host: hostName, port: settings.port)
        let strict = settings.strictHostKeyChecking
        let learnInto = settings.userKnownHostsFiles.first
        return { key in
            let openSSH = String(openSSHPublicKey: key)
            let parts = openSSH.split(separator: " ")
            guard parts.count >= 2, let blob = Data(base64Encoded: String(parts[1])) else {
                return .hostKey("Cannot read the host key of \(name).\nHost key verification failed.")
            }
            let type = String(parts[0])
            let label = Self.keyLabel(type)
            switch known.verify(name: name, keyType: type, keyBlob: Array(blob)) {
            case .known:
                return nil
            case .revoked(let file, let line):
                return .hostKey(
                    "Host key \(label) for \(name) is marked as revoked (\(file):\(line)).\n"
                        + "Host key verification failed.")
            case .changed(let file, let line):
                if strict == .no { return nil }
                return .hostKey(
                    "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! Offending \(label) key in \(file):\(line)\n"
                        + "Host key for \(name) has changed and you have requested strict checking.\n"
                        + "Host key verification failed.")
            case .certificateAuthority:
                return .fallback("known_hosts @cert-authority")
            case .unknown:
                switch strict {
                case .yes, .ask:
                    return .hostKey(
                        "No \(label) host key is known for \(name) and you have requested strict checking.\n"
                            + "Host key verification failed.")
                case .acceptNew, .no:
                    if let file = learnInto {
                        KnownHostsWriter.append(name: name, keyType: type, keyBlob: Array(blob), to: file)
                    }
                    return nil
                }
            }
        }
    }

    private static func keyLabel(_ type: String) -> String {
        switch type {
        case "ssh-ed25519": return "ED25519"
        case let ecdsa where ecdsa.hasPrefix("ecdsa"): return "ECDSA"
        default: return type
        }
    }

    /// Local variables whose names match `SendEnv` patterns, sent to the server as OpenSSH does.
    private static func environment(matching patterns: [String]) -> [(String, String)] {
        guard !patterns.isEmpty else { return [] }
        let local = ProcessInfo.processInfo.environment
        return local.keys.sorted().compactMap { name in
            HostPattern.matches(name, patterns: patterns.map { Substring($0) })
                ? (name, local[name] ?? "") : nil
        }
    }
}

/// A reason for sending a host to OpenSSH.
struct FallbackReason: Error {
    var text: String
    init(_ text: String) { self.text = text }
}

/// A failure of the native path, mapped to what OpenSSH would print.
enum NativeSSHFailureOrError: Error, Sendable {
    case native(NativeSSHFailure)
    case connectTimeout
    case other(String)

    init(_ error: any Error) {
        if let native = error as? NativeSSHFailure {
            self = .native(native)
        } else if let own = error as? NativeSSHFailureOrError {
            self = own
        } else if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            self = .connectTimeout
        } else if let ssh = error as? NIOSSHError, ssh.type == .keyExchangeNegotiationFailure {
            self = .native(.fallback("no algorithm in common with the server"))
        } else {
            self = .other(Self.describe(error))
        }
    }

    var isFallback: Bool {
        if case .native(.fallback) = self { return true }
        return false
    }

    static func describe(_ error: any Error) -> String {
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first {
            return describe(first.error)
        }
        if let io = error as? IOError {
            return String(cString: strerror(io.errnoCode))
        }
        return "\(error)"
    }

    func message(host: String, settings: HostSettings) -> String {
        let target = "\(settings.hostName ?? host) port \(settings.port)"
        switch self {
        case .native(.authentication):
            return "\(settings.user ?? "")@\(settings.hostName ?? host): Permission denied (publickey)."
        case .native(.closed):
            return "Connection closed by \(target)"
        case .native(.hostKey(let message)):
            return message
        case .native(.fallback(let reason)):
            return reason
        case .connectTimeout:
            return "ssh: connect to host \(target): Connection timed out"
        case .other(let text):
            return "ssh: connect to host \(target): \(text)"
        }
    }
}

