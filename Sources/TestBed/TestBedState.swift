import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One sshd of the bed: a per-host sshd, or the shared sshd serving the benchmark names.
struct SSHDRecord: Codable, Sendable, Equatable {
    /// Host name, or `shared` for the shared sshd.
    var name: String
    var address: String
    var port: Int
    /// Directory with the host key, sshd_config, log, pid file, home and srv of this sshd.
    var directory: String
    /// Hostname set in the sshd's UTS namespace, nil to keep the controller's.
    var hostname: String?
    var process: ProcessIdentity?
    var frozen: Bool = false
    var slowDelay: Double = 0

    var configPath: String { directory + "/sshd_config" }
    var logPath: String { directory + "/sshd.log" }
    var pidFilePath: String { directory + "/sshd.pid" }
    var hostKeyPath: String { directory + "/ssh_host_ed25519_key" }
    var homePath: String { directory + "/home" }
    var srvPath: String { directory + "/srv" }
}

/// Everything needed to find and stop a running bed, stored as `<directory>/state.json`.
struct TestBedState: Codable, Sendable {
    var version = 1
    var configuration: TestBedConfiguration
    var port: Int
    var user: String
    var hosts: [SSHDRecord]
    var shared: SSHDRecord?

    var allRecords: [SSHDRecord] { hosts + (shared.map { [$0] } ?? []) }

    static func path(in directory: String) -> String { directory + "/state.json" }

    static func load(from directory: String) throws -> TestBedState? {
        let path = path(in: directory)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(TestBedState.self, from: data)
        } catch {
            throw TestBedError.corruptState(path: path, reason: "\(error)")
        }
    }

    func save(to directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(self)
        } catch {
            throw TestBedError.fileSystem(path: Self.path(in: directory), reason: "cannot encode state: \(error)")
        }
        try FileSystem.write(data, to: Self.path(in: directory))
    }

    static func remove(from directory: String) {
        unlink(path(in: directory))
    }
}

/// Small file helpers that turn Foundation errors into `TestBedError`.
enum FileSystem {
    static func createDirectory(_ path: String, mode: Int = 0o755) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
        } catch {
            throw TestBedError.fileSystem(path: path, reason: "cannot create directory: \(error.localizedDescription)")
        }
    }

    /// Writes atomically (temporary file + rename) with the given permissions.
    static func write(_ data: Data, to path: String, mode: Int = 0o644) throws {
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: mode])
        else {
            throw TestBedError.fileSystem(
                path: temporary, reason: "cannot write file: \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TestBedError.fileSystem(path: path, reason: "cannot replace file: \(reason)")
        }
    }

    static func write(_ text: String, to path: String, mode: Int = 0o644) throws {
        try write(Data(text.utf8), to: path, mode: mode)
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    static func size(_ path: String) -> UInt64 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_size) : 0
    }

    /// The last `lines` lines of `path` written after byte `offset`.
    static func tail(_ path: String, from offset: UInt64 = 0, lines: Int = 15) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "(no log at \(path))" }
        defer { try? handle.close() }
        let size = FileSystem.size(path)
        let start = max(offset, size > 65536 ? size - 65536 : 0)
        try? handle.seek(toOffset: start)
        let data = (try? handle.readToEnd()) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        let selected = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines)
        return selected.isEmpty ? "(log is empty)" : selected.joined(separator: "\n")
    }

    /// Runs `body` holding an exclusive lock on `<directory>/.lock`, waiting at most `timeout` seconds for it.
    static func withLock<T>(in directory: String, timeout: Double = 60, _ body: () throws -> T) throws -> T {
        let path = directory + "/.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw TestBedError.fileSystem(path: path, reason: "cannot open lock: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let locked = pollUntil(timeout: timeout, interval: 0.02) { flock(descriptor, LOCK_EX | LOCK_NB) == 0 }
        guard locked else {
            throw TestBedError.fileSystem(
                path: path, reason: "another testbed command holds the lock for over \(timeout) s")
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
