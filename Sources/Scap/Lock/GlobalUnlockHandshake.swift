import Foundation

/// The two-file handshake by which `scap lock --unlock-all` asks the `scap lock --all` process to release the
/// global lock through two files of the lock directory (``ScapLockDirectory``; scap uses `/tmp`, where any user
/// could write a request): `scap-unlock-global` (the request) and `scap-unlock-global-removed` (the holder's
/// acknowledgement, once released). A directory every user can write to is refused.
///
/// 1. The requester writes a ``GlobalUnlockRequest`` naming the holder to `scap-unlock-global`.
/// 2. The holder, polling, finds the request addressed to it, releases the lock, and writes the same request to
///    `scap-unlock-global-removed`.
/// 3. The requester sees the acknowledgement and removes its request; the holder then removes its
///    acknowledgement. Each side removes only the file it wrote (in a group directory with the sticky bit it
///    could not remove the other's), and a request left over by a requester that died is ignored by later holders.
/// ```swift
/// let handshake = GlobalUnlockHandshake(directory: "/var/lock/scap")
/// try await handshake.send(GlobalUnlockRequest(requester: me, holder: holder), timeout: .seconds(30))
/// ```
public struct GlobalUnlockHandshake: Sendable {
    /// scap's handshake directory.
    public static var defaultDirectory: String { ScapLockDirectory().path }
    /// The environment variable naming another directory (tests use a private one).
    public static let directoryEnvironmentVariable = "SCAP_LOCK_HANDSHAKE_DIR"
    /// How long `scap lock --unlock-all` waits for the holder by default.
    public static let defaultTimeout: Duration = .seconds(30)

    /// The directory holding both files.
    public var directory: String

    /// Uses `directory`.
    public init(directory: String = defaultDirectory) {
        self.directory = directory
    }

    /// Uses `directory` if given, else `$SCAP_LOCK_HANDSHAKE_DIR` if set and not empty, else the lock directory.
    public init(directory: String?, environment: [String: String]) {
        let fromEnvironment = environment[Self.directoryEnvironmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        self.init(directory: directory ?? fromEnvironment ?? Self.defaultDirectory)
    }

    /// `<directory>/scap-unlock-global`: the request.
    public var requestPath: String { (directory as NSString).appendingPathComponent("scap-unlock-global") }
    /// `<directory>/scap-unlock-global-removed`: the holder's acknowledgement.
    public var removedPath: String { (directory as NSString).appendingPathComponent("scap-unlock-global-removed") }

    /// Requester side: writes `request`, then waits until the holder acknowledges it; the request file is removed
    /// either way.
    /// - Parameters:
    ///   - request: who asks, and the holder asked (read from the global lock file).
    ///   - timeout: how long to wait for the holder.
    ///   - pollInterval: how often the acknowledgement is looked for.
    /// - Throws: ``DeployError`` when the request cannot be written, or no acknowledgement comes in time.
    public func send(
        _ request: GlobalUnlockRequest, timeout: Duration = defaultTimeout,
        pollInterval: Duration = .milliseconds(100)
    ) async throws(DeployError) {
        do {
            try checkDirectory()
        } catch {
            throw DeployError(error.description)
        }
        do {
            try request.json.write(toFile: requestPath, atomically: true, encoding: .utf8)
        } catch {
            throw DeployError(
                "cannot write the unlock request \(requestPath): \(error.localizedDescription); if another user's "
                    + "stale file is in the way, ask them (or root) to remove it")
        }
        defer { unlink(requestPath) }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !Task.isCancelled {
            if Self.read(removedPath) == request { return }
            try? await Task.sleep(for: min(pollInterval, max(deadline - ContinuousClock.now, .milliseconds(1))))
        }
        if Self.read(removedPath) == request { return }
        throw DeployError(
            "the holder of the global lock (\(request.holder.locker), pid \(request.holder.pid)) did not release it "
                + "within \(DeployLock.describe(timeout)); it may not be a `scap lock --all` watching \(directory). "
                + "Ask \(request.holder.locker) to release it, or stop that process (kill \(request.holder.pid))")
    }

    /// Holder side: the pending request addressed to `holder`, if any. Requests for other holders are ignored.
    public func pendingRequest(for holder: DeployLockHolder) -> GlobalUnlockRequest? {
        // A request in a directory anyone can write to could come from anyone: it is not one.
        guard (try? checkDirectory()) != nil else { return nil }
        return Self.read(requestPath).flatMap { $0.isAddressed(to: holder) ? $0 : nil }
    }

    /// Holder side, after releasing: writes the acknowledgement, waits (at most `linger`) for the requester to
    /// remove its request, then removes the acknowledgement.
    public func acknowledge(
        _ request: GlobalUnlockRequest, linger: Duration = .seconds(5), pollInterval: Duration = .milliseconds(100)
    ) async {
        try? request.json.write(toFile: removedPath, atomically: true, encoding: .utf8)
        let deadline = ContinuousClock.now + linger
        while ContinuousClock.now < deadline, !Task.isCancelled, Self.read(requestPath) == request {
            try? await Task.sleep(for: pollInterval)
        }
        if Self.read(removedPath) == request { unlink(removedPath) }
    }

    /// Creates the directory when it is the lock directory, and refuses one every user can write to.
    func checkDirectory() throws(DeployLockError) {
        let lockDirectory = ScapLockDirectory()
        if directory == lockDirectory.path { try lockDirectory.prepare() }
        try ScapLockDirectory.refuseWorldWritable(directory, for: directory)
    }

    private static func read(_ path: String) -> GlobalUnlockRequest? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(GlobalUnlockRequest.init(json:))
    }
}
