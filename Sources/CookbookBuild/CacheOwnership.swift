import Foundation

/// The trust check on the cookbook cache, as OpenSSH checks its keys: the cache runs as whoever runs `cookbook`
/// (often root), so every directory and file of it must be owned by the running user and writable by nobody else.
///
/// The cache root is created with mode 0700 when missing. A root, directory or cached file owned by another user
/// or writable by group or others is refused with a ``BuildError`` naming it, instead of being run.
enum CacheOwnership {
    /// Creates `directory` (and missing parents) with mode 0700 when it does not exist, then checks it.
    static func prepare(_ directory: String) throws(BuildError) {
        if !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw BuildError(
                    "cannot create the cache directory \(directory): \(error.localizedDescription)",
                    hint: "set cookbooks_cache_dir to a writable directory")
            }
            chmod(directory, 0o700)
        }
        try check(directory, follow: true)
    }

    /// Refuses `path` when it is owned by another user or writable by group or others; a missing path passes.
    /// - Parameter follow: whether a symbolic link is followed (the configured root) or itself refused (anything
    ///   inside the cache).
    static func check(_ path: String, follow: Bool = false) throws(BuildError) {
        var info = stat()
        let status = follow ? stat(path, &info) : lstat(path, &info)
        guard status == 0 else {
            if errno == ENOENT { return }
            throw BuildError("cannot check \(path): \(String(cString: strerror(errno)))")
        }
        if !follow, (info.st_mode & S_IFMT) == S_IFLNK {
            throw BuildError(
                "refusing the cookbook cache: \(path) is a symbolic link",
                hint: "remove it; the cache is rebuilt as needed")
        }
        if info.st_uid != geteuid() {
            throw BuildError(
                "refusing the cookbook cache: \(path) is owned by uid \(info.st_uid), not by the running user (uid "
                    + "\(geteuid()))",
                hint: "set cookbooks_cache_dir to a directory of your own, or remove the cache")
        }
        if info.st_mode & 0o022 != 0 {
            throw BuildError(
                "refusing the cookbook cache: \(path) is writable by group or others (mode "
                    + "\(String(info.st_mode & 0o7777, radix: 8)))",
                hint: "run chmod go-w on it, or remove the cache; it is rebuilt as needed")
        }
    }

    /// Checks every path in order (each inside the previous one).
    static func check(_ paths: [String]) throws(BuildError) {
        for path in paths { try check(path) }
    }

    /// Makes `path` private to the running user (`mode`: 0700 for directories and executables, 0600 for data).
    static func restrict(_ path: String, mode: mode_t) {
        chmod(path, mode)
    }
}
