import Foundation
import OpsSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The files of the local backend: `<directory>/<prefix>/<name>.json` per key and `<directory>/.lock`, the
/// `flock` that serialises every read-modify-write between processes.
struct LockDirectory: Sendable {
    /// The JSON document stored per key.
    struct Document: Codable {
        var key: String
        var holders: [LockHolder]
    }

    let path: String
    /// How long to wait for another process to release the `flock`.
    let lockTimeout: Duration

    var description: String { "lock directory \(path)" }
    var lockFilePath: String { path + "/.lock" }

    func file(for key: LockKey) -> String { "\(path)/\(key.prefix.rawValue)/\(key.name).json" }

    /// Creates the directory and the prefix folder of `key` (mode 0700) when missing.
    func create(for key: LockKey, operation: String) throws(LockError) {
        for folder in [path, "\(path)/\(key.prefix.rawValue)"] {
            if mkdir(folder, 0o700) != 0 && errno != EEXIST {
                throw failure(key, operation, "cannot create \(folder): \(systemError())")
            }
        }
    }

    /// Runs `body` holding the exclusive `flock`, polling for it (without blocking a thread) up to
    /// ``lockTimeout``.
    func withExclusiveLock<T>(
        _ key: LockKey, operation: String, _ body: () throws(LockError) -> T
    ) async throws(LockError) -> T {
        let descriptor = open(lockFilePath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw failure(key, operation, "cannot open \(lockFilePath): \(systemError())")
        }
        defer { close(descriptor) }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: lockTimeout)
        var pause = Duration.milliseconds(2)
        // Bounded in time by the deadline: every iteration either returns, throws or sleeps.
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw failure(key, operation, "cannot lock \(lockFilePath): \(systemError())")
            }
            guard clock.now < deadline else {
                throw failure(
                    key, operation,
                    "another process has held \(lockFilePath) for over \(HumanDuration.format(lockTimeout.inSeconds)); "
                        + "find it with 'fuser \(lockFilePath)'")
            }
            do {
                try await Task.sleep(for: pause)
            } catch {
                throw LockError(.cancelled, key: key.path)
            }
            pause = min(pause * 2, .milliseconds(50))
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// The holders stored for `key` (expired ones included), none when there is no file.
    func read(_ key: LockKey) throws(LockError) -> [LockHolder] {
        let file = file(for: key)
        guard let data = FileManager.default.contents(atPath: file) else {
            if access(file, F_OK) == 0 {
                throw failure(key, "read", "cannot read \(file): \(systemError())")
            }
            return []
        }
        do {
            return try LockHolder.decode(Document.self, from: data).holders
        } catch {
            throw LockError(.corruptData(location: file, reason: "\(error)"), key: key.path)
        }
    }

    /// Replaces the holders of `key` atomically (temporary file + rename); removes the file when none remain.
    func write(_ holders: [LockHolder], for key: LockKey, operation: String) throws(LockError) {
        let file = file(for: key)
        guard !holders.isEmpty else {
            if unlink(file) != 0 && errno != ENOENT {
                throw failure(key, operation, "cannot remove \(file): \(systemError())")
            }
            return
        }
        let data = LockHolder.encode(Document(key: key.path, holders: holders))
        let temporary = "\(file).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw failure(key, operation, "cannot create \(temporary): \(systemError())")
        }
        let written = data.withUnsafeBytes { bytes in
            var offset = 0
            // Bounded: each iteration writes at least one byte or stops.
            while offset < bytes.count {
                let count = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if count > 0 {
                    offset += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return fsync(descriptor) == 0
        }
        let writeError = systemError()
        close(descriptor)
        guard written else {
            unlink(temporary)
            throw failure(key, operation, "cannot write \(temporary): \(writeError)")
        }
        guard rename(temporary, file) == 0 else {
            let reason = systemError()
            unlink(temporary)
            throw failure(key, operation, "cannot replace \(file): \(reason)")
        }
    }

    /// The keys that have a file under `prefix` (every prefix when nil).
    func keys(prefix: LockPrefix?) throws(LockError) -> [LockKey] {
        var keys: [LockKey] = []
        for candidate in prefix.map({ [$0] }) ?? LockPrefix.allCases {
            let folder = "\(path)/\(candidate.rawValue)"
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names where name.hasSuffix(".json") {
                if let key = try? LockKey(prefix: candidate, name: String(name.dropLast(".json".count))) {
                    keys.append(key)
                }
            }
        }
        return keys
    }

    private func failure(_ key: LockKey, _ operation: String, _ reason: String) -> LockError {
        LockError(.backendUnavailable(backend: description, operation: operation, reason: reason), key: key.path)
    }
}
