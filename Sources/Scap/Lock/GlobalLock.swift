import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive hold on scap's global lock (`scap lock --all`): while it is held, no deploy on the host can start.
///
/// Deploys hold the same file shared (see ``DeployLock``), so taking it waits for the running deploys to finish.
/// While it is held the holder's ``DeployLockHolder`` JSON is kept inside the file, so a deploy waiting for it
/// prints who holds it and why; the file is truncated to `{}` on release. Like ``DeployLock`` it is a `flock(2)`
/// lock, released by the kernel if the holder dies.
/// ```swift
/// let lock = try await GlobalLock.acquire(reason: "switchover", timeout: .seconds(600))
/// defer { lock.release() }
/// ```
public final class GlobalLock: Sendable {
    /// The global lock file.
    public let path: String
    /// The record written in the file: this process, the user and the reason.
    public let holder: DeployLockHolder
    private let descriptor: Mutex<Int32?>

    private init(path: String, holder: DeployLockHolder, descriptor: Int32) {
        self.path = path
        self.holder = holder
        self.descriptor = Mutex(descriptor)
    }

    deinit { release() }

    /// Takes the global lock exclusively, waiting while deploys (or another `scap lock`) hold it.
    ///
    /// The first time it is found busy, `notify` is told who holds it: the recorded holder when another process
    /// holds it exclusively, else that deploys are running; then every `reminderInterval`, how long it has waited.
    /// The wait polls with `Task.sleep`; a cancelled task
    /// stops waiting.
    /// - Parameters:
    ///   - path: the global lock file; created when missing.
    ///   - reason: why, shown to every deploy that finds the lock busy.
    ///   - timeout: how long to wait for a busy lock; `.zero` fails at once.
    ///   - pollInterval: how often a busy lock is tried again.
    ///   - reminderInterval: how often `notify` is told the wait goes on (`.zero`: never).
    ///   - notify: told who holds a busy lock, and that the wait goes on.
    /// - Throws: ``DeployLockError`` when the file cannot be opened, or the lock stays busy beyond `timeout`.
    public static func acquire(
        path: String = DeployLock.defaultGlobalPath, reason: String, timeout: Duration = DeployLock.defaultTimeout,
        pollInterval: Duration = .milliseconds(250), reminderInterval: Duration = DeployLock.defaultReminderInterval,
        notify: @Sendable (String) -> Void = { _ in }
    ) async throws(DeployLockError) -> GlobalLock {
        let descriptor = try DeployLock.openLockFile(path)
        var wait = LockWait(timeout: timeout, reminderInterval: reminderInterval)
        var told = false
        while true {
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
                let holder = DeployLockHolder.current(reason: reason)
                DeployLock.write(holder.json, to: descriptor)
                return GlobalLock(path: path, holder: holder, descriptor: descriptor)
            }
            if !told {
                told = true
                notify(busyMessage(path: path, text: DeployLock.readAll(descriptor)))
            } else if let reminder = wait.reminder(path: path) {
                notify(reminder)
            }
            if wait.isOver || Task.isCancelled {
                close(descriptor)
                throw DeployLockError(
                    path: path, message: "Failed to acquire lock after waiting for \(DeployLock.describe(timeout))")
            }
            await wait.pause(pollInterval: pollInterval)
        }
    }

    /// Truncates the file to `{}` and releases the lock; later calls do nothing.
    public func release() {
        descriptor.withLock { held in
            guard let open = held else { return }
            DeployLock.write("{}", to: open)
            flock(open, LOCK_UN)
            close(open)
            held = nil
        }
    }

    /// Whether some process holds the lock at `path` exclusively (a missing file is not held).
    ///
    /// Found by trying a shared hold without waiting, as a deploy would, and dropping it at once.
    public static func isHeldExclusively(path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK }
        flock(descriptor, LOCK_UN)
        return false
    }

    /// Who holds a busy global lock: the recorded holder if its process runs, else the deploys holding it shared.
    static func busyMessage(path: String, text: String) -> String {
        if let holder = DeployLockHolder(json: text), holder.isRunning { return holder.busyMessage(name: path) }
        return "\(path) is held by running deploys or repository locks; waiting for them to finish"
    }
}
