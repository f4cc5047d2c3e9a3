import Foundation

/// `scap lock --unlock-all`: asks the `scap lock --all` process holding the global lock to release it (see
/// ``GlobalUnlockHandshake``), after a confirmation, and announces the forced release with its reason.
/// ```swift
/// let unlocker = try GlobalUnlocker(reason: "alice left for the day", config: config, console: { print($0) })
/// let released = try await unlocker.run(confirm: { _ in true })
/// ```
public struct GlobalUnlocker: Sendable {
    /// Why the lock is forced: sent to the holder and announced.
    public var reason: String
    /// The global lock file.
    public var globalLockPath: String
    /// Where the request is written.
    public var handshake: GlobalUnlockHandshake
    /// How long to wait for the holder to release.
    public var timeout: Duration
    /// Announces the forced release (`tcpircbot_host`).
    public var announcer: ScapAnnouncer
    /// Receives the lines for the user.
    public var console: @Sendable (String) -> Void

    /// Creates an unlocker; the announcer is the configuration's.
    /// - Throws: ``DeployError`` (usage) when `reason` is blank.
    public init(
        reason: String, config: ScapConfig, globalLockPath: String = DeployLock.defaultGlobalPath,
        handshake: GlobalUnlockHandshake = GlobalUnlockHandshake(),
        timeout: Duration = GlobalUnlockHandshake.defaultTimeout, console: @escaping @Sendable (String) -> Void
    ) throws(DeployError) {
        self.reason = try DeployError.requireReason(reason)
        self.globalLockPath = globalLockPath
        self.handshake = handshake
        self.timeout = timeout
        self.announcer = ScapAnnouncer(config: config, user: ScapConfig.currentUserName)
        self.console = console
    }

    /// The question asked before forcing: `Force-release the global lock held by <holder>? [y/N] `.
    public static func question(for holder: DeployLockHolder) -> String {
        "Force-release the global lock held by \(holder.locker) (pid \(holder.pid), since \(holder.timestampUTC), "
            + "reason \"\(holder.reason)\")? [y/N] "
    }

    /// Finds the holder, asks `confirm`, sends the request and waits for the release.
    /// - Parameter confirm: asked ``question(for:)``; `true` to go on, `false` to stop, `nil` when it cannot ask
    ///   (no terminal).
    /// - Returns: the holder that released the lock.
    /// - Throws: ``DeployError`` when the lock is not held by a `scap lock --all`, the answer is not yes, or the
    ///   holder does not release in time.
    public func run(confirm: @Sendable (String) async -> Bool?) async throws(DeployError) -> DeployLockHolder {
        guard GlobalLock.isHeldExclusively(path: globalLockPath) else {
            throw DeployError("the global lock \(globalLockPath) is not held exclusively: there is nothing to release")
        }
        guard let holder = DeployLock.holder(at: globalLockPath), holder.isRunning else {
            throw DeployError(
                "the global lock \(globalLockPath) is held, but not by a running `scap lock --all` (no holder is "
                    + "recorded in it): find the process with `fuser -v \(globalLockPath)`")
        }
        switch await confirm(Self.question(for: holder)) {
        case true?: break
        case false?: throw DeployError("not confirmed: the global lock stays held by \(holder.locker)")
        case nil:
            throw DeployError(
                "refusing to force-release the global lock held by \(holder.locker) without confirmation: there is "
                    + "no terminal to ask on; pass --yes")
        }
        let request = GlobalUnlockRequest(requester: .current(reason: reason), holder: holder)
        try await handshake.send(request, timeout: timeout)
        console(
            "Force-released the global lock held by \(holder.locker) (pid \(holder.pid)) since "
                + "\(holder.timestampUTC); its reason was \"\(holder.reason)\"")
        announcer.announce(
            "Force-released the global lock: \(reason) (it was held by \(holder.locker): \(holder.reason))")
        return holder
    }
}
