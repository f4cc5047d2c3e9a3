import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the throwaway servers of tests (DNS, Alertmanager, ...) share: a directory per server named after its
/// owner's PID, a log, a pid file, a free loopback port, and the clean-up of servers whose owner died.
enum ServerDirectory {
    /// Creates `<base>/<prefix>-<owner pid>-<random>` (mode 0700) after stopping the orphans under `base`.
    static func create(base: String, prefix: String) throws -> String {
        try FileSystem.createDirectory(base, mode: 0o700)
        stopOrphans(base: base, prefix: prefix)
        let directory = "\(base)/\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileSystem.createDirectory(directory, mode: 0o700)
        return directory
    }

    /// Runs `attempt` in a fresh server directory, again (up to 3 times, each in a new directory) when the server
    /// lost its port to another process ("address already in use"); the directory of a failed attempt is removed.
    static func start<T>(base: String, prefix: String, _ attempt: (String) throws -> T) throws -> T {
        var lastError: (any Error)?
        for _ in 0..<3 {
            let directory = try create(base: base, prefix: prefix)
            do {
                return try attempt(directory)
            } catch let error as TestBedError {
                try? FileManager.default.removeItem(atPath: directory)
                lastError = error
                guard case .commandFailed(_, _, let output) = error, output.contains("address already in use") else {
                    throw error
                }
            } catch {
                try? FileManager.default.removeItem(atPath: directory)
                throw error
            }
        }
        throw lastError ?? TestBedError.invalidConfiguration("\(prefix) could not be started")
    }

    /// ``launch(_:_:directory:name:)`` then ``wait(for:name:logPath:timeout:_:)``, stopping the process when it
    /// does not become ready.
    static func launchAndWait(
        _ executable: String, _ arguments: [String], directory: String, name: String, timeout: Double,
        ready: () -> Bool
    ) throws -> ProcessIdentity {
        let process = try launch(executable, arguments, directory: directory, name: name)
        do {
            try wait(for: process, name: name, logPath: "\(directory)/\(name).log", timeout: timeout, ready)
        } catch {
            ProcessTable.terminate([process], gracePeriod: 2)
            throw error
        }
        return process
    }

    /// Starts `executable` with stdout and stderr in `<directory>/<name>.log` and records its identity in
    /// `<directory>/<name>.pid`.
    static func launch(_ executable: String, _ arguments: [String], directory: String, name: String) throws
        -> ProcessIdentity
    {
        let logPath = "\(directory)/\(name).log"
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else {
            throw TestBedError.fileSystem(path: logPath, reason: "cannot open log: \(String(cString: strerror(errno)))")
        }
        defer { close(log) }
        let pid = try ChildProcess.spawn(executable, arguments, stdout: log, stderr: log)
        let process = ProcessTable.identity(of: pid) ?? ProcessIdentity(pid: pid, startTime: nil)
        try FileSystem.write(
            "\(pid) \(process.startTime.map(String.init) ?? "-")\n", to: "\(directory)/\(name).pid")
        return process
    }

    /// Waits until `ready` holds, failing with the log tail when the process exits first.
    static func wait(
        for process: ProcessIdentity, name: String, logPath: String, timeout: Double, _ ready: () -> Bool
    ) throws {
        let done = try pollUntil(timeout: timeout, interval: 0.05) {
            guard ProcessTable.isAlive(process) else {
                throw TestBedError.commandFailed(
                    command: "\(name) (log \(logPath))", exitCode: -1, output: FileSystem.tail(logPath))
            }
            return ready()
        }
        guard done else {
            throw TestBedError.commandTimeout(command: "\(name) (log \(logPath))", seconds: timeout)
        }
    }

    /// A port of 127.0.0.1 free now for TCP (and, with `udp`, for UDP too), picked by the kernel.
    static func freePort(udp: Bool = false) throws -> Int {
        // Bounded: a few kernel picks until one is also free for UDP.
        for _ in 0..<20 {
            let port = try bindZero(type: Int32(SOCK_STREAM.rawValue))
            if !udp || canBind(port: port, type: Int32(SOCK_DGRAM.rawValue)) { return port }
        }
        throw TestBedError.noFreePort(range: 1...65535)
    }

    /// `count` distinct ports of 127.0.0.1 free now for TCP.
    static func freePorts(_ count: Int) throws -> [Int] {
        var ports: [Int] = []
        // Bounded: a few kernel picks per port until they differ.
        for _ in 0..<(count * 10) where ports.count < count {
            let port = try freePort()
            if !ports.contains(port) { ports.append(port) }
        }
        guard ports.count == count else { throw TestBedError.noFreePort(range: 1...65535) }
        return ports
    }

    private static func bindZero(type: Int32) throws -> Int {
        guard var address = Loopback.socketAddress("127.0.0.1", 1) else { throw TestBedError.noFreePort(range: 1...65535) }
        address.sin_port = 0
        let descriptor = socket(AF_INET, type, 0)
        guard descriptor >= 0 else { throw ChildProcess.posixError("socket") }
        defer { close(descriptor) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw ChildProcess.posixError("bind 127.0.0.1:0") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func canBind(port: Int, type: Int32) -> Bool {
        guard var address = Loopback.socketAddress("127.0.0.1", port) else { return false }
        let descriptor = socket(AF_INET, type, 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Stops the servers under `base` whose owning process is gone and removes their directories.
    static func stopOrphans(base: String, prefix: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
        for entry in entries where entry.hasPrefix(prefix + "-") {
            let parts = entry.dropFirst(prefix.count + 1).split(separator: "-")
            guard parts.count == 2, let owner = Int32(parts[0]), ProcessTable.identity(of: owner) == nil else {
                continue
            }
            let directory = "\(base)/\(entry)"
            let pidFiles = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.filter {
                $0.hasSuffix(".pid")
            } ?? []
            for file in pidFiles {
                let fields = (FileSystem.read("\(directory)/\(file)") ?? "").split(separator: " ")
                if let pid = fields.first.flatMap({ Int32($0) }) {
                    let startTime =
                        fields.count > 1 ? UInt64(fields[1].trimmingCharacters(in: .whitespacesAndNewlines)) : nil
                    ProcessTable.terminate([ProcessIdentity(pid: pid, startTime: startTime)], gracePeriod: 2)
                }
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// The status code of `GET path` on 127.0.0.1:`port` (HTTP/1.0), or nil when nothing answers within a second.
    static func httpStatus(port: Int, path: String) -> Int? {
        guard let answer = httpGet(port: port, path: path) else { return nil }
        // "HTTP/1.x NNN ..."
        let fields = answer.prefix(64).split(separator: " ", maxSplits: 2)
        return fields.count >= 2 && fields[0].hasPrefix("HTTP/") ? Int(fields[1]) : nil
    }

    /// The whole answer (status line, headers, body) to `GET path` on 127.0.0.1:`port` (HTTP/1.0), at most 64 KiB,
    /// or nil when nothing answers within a second.
    static func httpGet(port: Int, path: String) -> String? {
        guard var address = Loopback.socketAddress("127.0.0.1", port) else { return nil }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard send(descriptor, request, request.count, 0) == request.count else { return nil }
        var answer = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Bounded: HTTP/1.0 closes after the answer; at most 16 reads, each under a 1 s timeout.
        for _ in 0..<16 {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            answer += buffer[0..<count]
        }
        return answer.isEmpty ? nil : String(decoding: answer, as: UTF8.self)
    }
}
