import Foundation
import NodeSet
import Subprocess
import Synchronization

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// The user's private directory of persistent OpenSSH master connections (``ConnectionReuse/persistent``):
/// `$XDG_RUNTIME_DIR/cumin-ssh` when that is set, else `/tmp/cumin-ssh-UID`; mode 0700 and owned by the user,
/// or it is refused, so masters are never shared between users. Beside each socket a `.host` file names its host,
/// for ``close(sshPath:)``.
public enum PersistentConnections {
    /// ControlPersist when `persist_connections` is not set.
    public static let defaultSeconds = 600

    /// The directory, created when missing.
    /// - Throws: ``ExecutionError`` when it cannot be created or is not private to this user.
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ExecutionError) -> String
    {
        let uid = geteuid()
        let path: String
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/"), runtime.count < 60 {
            path = runtime + "/cumin-ssh"
        } else {
            path = "/tmp/cumin-ssh-\(uid)"
        }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw ExecutionError("cannot create \(path) for persistent SSH connections: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ExecutionError("\(path) is not a directory; remove it to use persistent SSH connections")
        }
        guard info.st_uid == uid, info.st_mode & 0o077 == 0 else {
            throw ExecutionError(
                "\(path) is not private to this user (owner \(info.st_uid), mode \(String(info.st_mode & 0o777, radix: 8))); "
                    + "refusing to share SSH connections: remove it")
        }
        return path
    }

    private static let noted = Mutex<Set<String>>([])

    /// Records which host a socket belongs to (once per process and socket).
    static func note(host: String, socket: String) {
        guard noted.withLock({ $0.insert(socket).inserted }) else { return }
        // A later run finds the file of its master already there (the socket name is a hash of the host): no write.
        if access(socket + ".host", F_OK) == 0 { return }
        try? Data((host + "\n").utf8).write(to: URL(fileURLWithPath: socket + ".host"))
    }

    /// The live sockets and their hosts.
    public static func list() -> [(host: String, socket: String)] {
        guard let directory = try? directory(),
            let entries = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else { return [] }
        return entries.prefix(100_000).filter { !$0.hasSuffix(".host") }.sorted().map { entry in
            let socket = directory + "/" + entry
            let host = (try? String(contentsOfFile: socket + ".host", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            return (host ?? "?", socket)
        }
    }

    /// Asks every master to exit (`ssh -O exit`) and removes the stale files; returns the hosts closed.
    public static func close(sshPath: String = "ssh") async -> NodeSet {
        let ssh = (try? OpenSSHTransport.resolveExecutable(sshPath)) ?? "/usr/bin/ssh"
        var closed: [String] = []
        for (host, socket) in list() {
            let result = try? await Subprocess.run(
                .path(FilePath(ssh)),
                arguments: ["-F", "/dev/null", "-oBatchMode=yes", "-oControlPath=\(socket)", "-O", "exit", "cumin-master"],
                input: .none, output: .discarded, error: .discarded)
            if case .exited(0) = result?.terminationStatus { closed.append(host) }
            unlink(socket)
            unlink(socket + ".host")
        }
        return NodeSet(nodes: closed.filter { $0 != "?" })
    }
}
