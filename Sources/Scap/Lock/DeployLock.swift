import Foundation
import OpsSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// scap's deploy lock: a shared hold on the global lock, then an exclusive hold on the repository's lock file.
///
/// `scap lock --all` holds the global lock exclusively and so blocks every deploy. Locks are `flock(2)` locks on
/// open files, so they are released when the holder exits, and two holders in one process exclude each other.
/// While it holds the repository lock, the holder's ``DeployLockHolder`` JSON is kept inside the file; it is
/// truncated to `{}` on release.
/// ```swift
/// let lock = try await DeployLock.acquire(path: config.lockFile!, reason: "deploy v2", timeout: .seconds(600))
/// defer { lock.release() }
/// ```
public final class DeployLock: Sendable {
    /// The global lock every deploy holds shared: `scap-global-lock` in the ``ScapLockDirectory``
    /// (`/var/lock/scap/scap-global-lock` unless `SCAP_LOCK_DIR` names another directory).
    public static var defaultGlobalPath: String { ScapLockDirectory().globalLockPath }
    /// How long a deploy waits for a busy lock by default.
    public static let defaultTimeout: Duration = .seconds(600)
    /// How often a waiting deploy says it is still waiting (scap prints a dot every 30 s).
    public static let defaultReminderInterval: Duration = .seconds(30)

    /// The repository lock file.
    public let path: String
    /// The global lock file.
    public let globalPath: String
    private let descriptors: Mutex<(repo: Int32, global: Int32)?>

    private init(path: String, globalPath: String, repo: Int32, global: Int32) {
        self.path = path
        self.globalPath = globalPath
        self.descriptors = Mutex((repo: repo, global: global))
    }

    deinit { release() }

    /// Takes the global lock shared and `path` exclusively, waiting while either is busy.
    ///
    /// The first time a lock is found busy, `notify` is called once with
    /// `<name> is locked by <user> (pid N) on <utc time>; reason is "<msg>"`, then every `reminderInterval` with how
    /// long it has waited. The wait polls with `Task.sleep`, so no thread is blocked; a cancelled task stops waiting.
    /// - Parameters:
    ///   - path: the repository lock file (`lock_file`); created when missing.
    ///   - globalPath: the global lock file.
    ///   - reason: why the lock is taken, shown to whoever finds it busy.
    ///   - timeout: how long to wait for a busy lock; `.zero` fails at once.
    ///   - pollInterval: how often a busy lock is tried again.
    ///   - reminderInterval: how often `notify` is told the wait goes on (`.zero`: never).
    ///   - notify: told who holds a busy lock, and that the wait goes on.
    /// - Throws: ``DeployLockError`` when a file cannot be opened, or the locks stay busy beyond `timeout`.
    public static func acquire(
        path: String, globalPath: String = defaultGlobalPath, reason: String, timeout: Duration = defaultTimeout,
        pollInterval: Duration = .milliseconds(250), reminderInterval: Duration = DeployLock.defaultReminderInterval,
        notify: @Sendable (String) -> Void = { _ in }
    ) async throws(DeployLockError) -> DeployLock {
        let global = try openLockFile(globalPath)
        let repo: Int32
        do {
            repo = try openLockFile(path)
        } catch {
            close(global)
            throw error
        }
        var wait = LockWait(timeout: timeout, reminderInterval: reminderInterval)
        var told: Set<String> = []
        var holdsGlobal = false
        while true {
            if !holdsGlobal { holdsGlobal = flock(global, LOCK_SH | LOCK_NB) == 0 }
            if holdsGlobal, flock(repo, LOCK_EX | LOCK_NB) == 0 {
                let lock = DeployLock(path: path, globalPath: globalPath, repo: repo, global: global)
                Self.write(DeployLockHolder.current(reason: reason).json, to: repo)
                return lock
            }
            let busy = holdsGlobal ? path : globalPath
            if told.insert(busy).inserted {
                let text = readAll(holdsGlobal ? repo : global)
                let holder = DeployLockHolder(json: text)
                notify(holder?.busyMessage(name: busy) ?? "\(busy) is locked by another process")
            } else if let reminder = wait.reminder(path: busy) {
                notify(reminder)
            }
            if wait.isOver || Task.isCancelled {
                close(repo)
                close(global)
                throw DeployLockError(path: busy, message: "Failed to acquire lock after waiting for \(describe(timeout))")
            }
            await wait.pause(pollInterval: pollInterval)
        }
    }

    /// Truncates the repository lock to `{}` and releases both locks; later calls do nothing.
    public func release() {
        descriptors.withLock { held in
            guard let pair = held else { return }
            Self.write("{}", to: pair.repo)
            flock(pair.repo, LOCK_UN)
            close(pair.repo)
            flock(pair.global, LOCK_UN)
            close(pair.global)
            held = nil
        }
    }

    /// The holder recorded in the lock file at `path`, if it holds one.
    public static func holder(at path: String) -> DeployLockHolder? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(DeployLockHolder.init(json:))
    }

    /// `N minute(s)` for whole minutes, else `N second(s)`.
    static func describe(_ timeout: Duration) -> String {
        let seconds = timeout.wholeSeconds
        return seconds >= 60 && seconds % 60 == 0 ? "\(seconds / 60) minute(s)" : "\(seconds) second(s)"
    }

    /// Opens (creating) a lock file for reading and writing, close-on-exec, never through a symbolic link.
    ///
    /// The lock directory is created when missing, and a directory every user can write to is refused (see
    /// ``ScapLockDirectory``).
    static func openLockFile(_ path: String) throws(DeployLockError) -> Int32 {
        try ScapLockDirectory().prepare(forFile: path)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o664)
        guard descriptor >= 0 else {
            throw DeployLockError(path: path, message: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        return descriptor
    }

    /// Replaces the whole content of the open file with `text`.
    static func write(_ text: String, to descriptor: Int32) {
        _ = ftruncate(descriptor, 0)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// The first 4 KiB of the open file, as text.
    static func readAll(_ descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
    }
}
