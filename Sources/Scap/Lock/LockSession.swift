import Foundation

/// `scap lock`: takes a repository's deploy lock (or, for `--all`, the global lock exclusively), announces it,
/// holds it until a ``LockReleaseTrigger`` fires, releases it and announces that.
///
/// The repository lock is taken exactly as a deploy takes it (``DeployLock``: the global lock shared, then
/// `lock_file` exclusively, with the holder's JSON inside), so a deploy of that repository waits and prints who
/// holds it and why. The global lock (``GlobalLock``) blocks every deploy on the host; its holder also answers a
/// forced unlock (``GlobalUnlockHandshake``) from `scap lock --unlock-all`.
/// ```swift
/// let session = try LockSession(scope: .repository(config: config, root: root), reason: "testing", config: config,
///                               console: { print($0) })
/// let trigger = LockReleaseTrigger(watchingStandardInput: true, signals: [SIGINT, SIGTERM])
/// let cause = try await session.run(until: trigger)
/// ```
public struct LockSession: Sendable {
    /// Which lock is held.
    public enum Scope: Sendable, Equatable {
        /// A deploy repository's lock: its name (`git_repo`) and `lock_file`.
        case repository(name: String, lockFile: String)
        /// The global lock, held exclusively.
        case allDeploys

        /// The repository of `config` (at `root`): named by `git_repo` (else the directory), locked by `lock_file`.
        /// - Throws: ``DeployError`` when the configuration sets neither `git_repo` nor `lock_file`.
        public static func repository(config: ScapConfig, root: String) throws(DeployError) -> Scope {
            guard let lockFile = config.lockFile, !lockFile.isEmpty else {
                throw DeployError(
                    "scap/scap.cfg sets neither git_repo nor lock_file, so there is no deploy lock to take: set "
                        + "git_repo (the lock is /var/lock/scap.<git_repo>.lock) or lock_file")
            }
            let name = config.gitRepo.flatMap { $0.isEmpty ? nil : $0 } ?? (root as NSString).lastPathComponent
            return .repository(name: name, lockFile: lockFile)
        }

        /// `citoid/deploy`, or `all deploys`.
        public var label: String {
            switch self {
            case .repository(let name, _): name
            case .allDeploys: "all deploys"
            }
        }
    }

    /// Which lock.
    public var scope: Scope
    /// Why: written in the lock file and announced.
    public var reason: String
    /// The global lock file.
    public var globalLockPath: String
    /// How long to wait for a busy lock.
    public var timeout: Duration
    /// How often a busy lock, and (for the global lock) the forced-unlock request, are checked.
    public var pollInterval: Duration
    /// Where a forced unlock of the global lock is asked for.
    public var handshake: GlobalUnlockHandshake
    /// Announces the lock and the release (`tcpircbot_host`).
    public var announcer: ScapAnnouncer
    /// Receives the lines for the user.
    public var console: @Sendable (String) -> Void

    /// Creates a session; the announcer is the configuration's (`tcpircbot_host`, `tcpircbot_port`).
    /// - Throws: ``DeployError`` (usage) when `reason` is blank.
    public init(
        scope: Scope, reason: String, config: ScapConfig, globalLockPath: String = DeployLock.defaultGlobalPath,
        timeout: Duration = DeployLock.defaultTimeout, pollInterval: Duration = .milliseconds(500),
        handshake: GlobalUnlockHandshake = GlobalUnlockHandshake(), console: @escaping @Sendable (String) -> Void
    ) throws(DeployError) {
        self.scope = scope
        self.reason = try DeployError.requireReason(reason)
        self.globalLockPath = globalLockPath
        self.timeout = timeout
        self.pollInterval = pollInterval
        self.handshake = handshake
        self.announcer = ScapAnnouncer(config: config, user: ScapConfig.currentUserName)
        self.console = console
    }

    /// Takes the lock (waiting up to ``timeout``, telling the console who holds it), starts `trigger`, holds the
    /// lock until it fires, then releases it.
    /// - Returns: why the lock was released.
    /// - Throws: ``DeployError`` when the lock cannot be opened or stays busy.
    public func run(until trigger: LockReleaseTrigger) async throws(DeployError) -> LockReleaseCause {
        switch scope {
        case .repository(let name, let lockFile):
            let lock: DeployLock
            do {
                lock = try await DeployLock.acquire(
                    path: lockFile, globalPath: globalLockPath, reason: reason, timeout: timeout,
                    pollInterval: pollInterval, notify: console)
            } catch {
                throw DeployError(.lock(error), error.description)
            }
            trigger.start()
            console("Locked \(name) (\(lockFile)); press Enter to release")
            announcer.announce("Locking \(name): \(reason)")
            let cause = await trigger.wait(pollInterval: pollInterval)
            lock.release()
            console("Released the lock of \(name) (\(cause))")
            announcer.announce("Unlocking \(name): \(reason)")
            return cause
        case .allDeploys:
            let lock: GlobalLock
            do {
                lock = try await GlobalLock.acquire(
                    path: globalLockPath, reason: reason, timeout: timeout, pollInterval: pollInterval,
                    notify: console)
            } catch {
                throw DeployError(.lock(error), error.description)
            }
            trigger.start()
            console("Locked all deploys (\(globalLockPath)); press Enter to release")
            announcer.announce("Locking all deploys: \(reason)")
            let handshake = self.handshake
            let holder = lock.holder
            let cause = await trigger.wait(pollInterval: pollInterval) {
                handshake.pendingRequest(for: holder).map(LockReleaseCause.forced)
            }
            lock.release()
            // A request that came with another cause is answered too: the lock is released either way.
            if let request = handshake.pendingRequest(for: holder) { await handshake.acknowledge(request) }
            if case .forced(let request) = cause {
                let by = request.requester
                console(
                    "The global lock was force-released by \(by.locker) (pid \(by.pid)) on \(by.timestampUTC); "
                        + "reason is \"\(by.reason)\"")
            } else {
                console("Released the lock of all deploys (\(cause))")
                announcer.announce("Unlocking all deploys: \(reason)")
            }
            return cause
        }
    }
}
