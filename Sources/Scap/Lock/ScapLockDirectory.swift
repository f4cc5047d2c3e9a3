import Foundation

/// Where scap keeps the global lock, the per-repository locks and the unlock handshake: a directory of the
/// deploy group, not a world-writable system directory where any local user could create the lock file first
/// (blocking every deploy) or write an unlock request.
///
/// The directory is `/var/lock/scap` unless `SCAP_LOCK_DIR` names another. When scap creates it, it gets mode
/// 0770 (`SCAP_LOCK_DIR_MODE`, octal) and the group `deployment` (`SCAP_LOCK_GROUP`) when that group exists.
/// A lock file or handshake directory whose directory is writable by everyone is refused.
///
/// ```swift
/// let directory = ScapLockDirectory()          // /var/lock/scap, 0770, group deployment
/// try directory.prepare()
/// ```
public struct ScapLockDirectory: Sendable, Equatable {
    /// `/var/lock/scap`.
    public static let defaultPath = "/var/lock/scap"
    /// `deployment`: the group of the people who deploy.
    public static let defaultGroup = "deployment"
    /// 0770.
    public static let defaultMode: mode_t = 0o770
    /// Names another directory.
    public static let pathVariable = "SCAP_LOCK_DIR"
    /// Names another group.
    public static let groupVariable = "SCAP_LOCK_GROUP"
    /// Gives another mode for a directory scap creates, in octal.
    public static let modeVariable = "SCAP_LOCK_DIR_MODE"

    /// The directory.
    public var path: String
    /// The group a created directory is given (when it exists).
    public var group: String
    /// The mode a created directory is given.
    public var mode: mode_t

    /// The directory the environment asks for (the process environment by default).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        path = value(Self.pathVariable) ?? Self.defaultPath
        group = value(Self.groupVariable) ?? Self.defaultGroup
        mode = value(Self.modeVariable).flatMap { mode_t($0, radix: 8) }.map { $0 & 0o777 } ?? Self.defaultMode
    }

    /// The global lock file: `<directory>/scap-global-lock`.
    public var globalLockPath: String { (path as NSString).appendingPathComponent("scap-global-lock") }

    /// The default lock of repository `name`: `<directory>/scap.<name with / as _>.lock`.
    public func repositoryLockPath(_ name: String) -> String {
        (path as NSString).appendingPathComponent("scap.\(name.replacingOccurrences(of: "/", with: "_")).lock")
    }

    /// Creates the directory when it is missing (mode and group as configured), then checks it.
    /// - Throws: ``DeployLockError`` when it cannot be created or is writable by everyone.
    public func prepare() throws(DeployLockError) {
        if !FileManager.default.fileExists(atPath: path) {
            let parent = (path as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            if mkdir(path, mode) != 0 && errno != EEXIST {
                throw DeployLockError(
                    path: path,
                    message: "cannot create the lock directory: \(String(cString: strerror(errno))); create it "
                        + "(group \(group), mode \(String(mode, radix: 8))) or set \(Self.pathVariable)")
            }
            if let entry = getgrnam(group) { _ = chown(path, uid_t.max, entry.pointee.gr_gid) }
            _ = chmod(path, mode)
        }
        try Self.refuseWorldWritable(path, for: path)
    }

    /// Refuses `directory` when everyone may write to it.
    /// - Parameter subject: the file or directory the error is about.
    public static func refuseWorldWritable(_ directory: String, for subject: String) throws(DeployLockError) {
        var info = stat()
        guard stat(directory, &info) == 0 else { return }
        guard info.st_mode & 0o002 != 0 else { return }
        throw DeployLockError(
            path: subject,
            message: "refusing to use \(directory): it is writable by every user, who could take or fake scap's locks; "
                + "use a directory of the deploy group with mode 0770 (\(pathVariable), default \(defaultPath))")
    }

    /// Prepares the directory of lock file `file`: created when it is the configured lock directory, refused
    /// when writable by everyone.
    public func prepare(forFile file: String) throws(DeployLockError) {
        let directory = (file as NSString).deletingLastPathComponent
        if directory == path { try prepare() }
        try Self.refuseWorldWritable(directory.isEmpty ? "." : directory, for: file)
    }
}
