import Cumin
import Foundation
import TestBed

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts a bed of real loopback sshds (`host1`...`hostN`) for one test, in a directory named
/// `<label>-<pid>-<random>` under the temporary directory, and stops it (by PID) and removes the directory
/// afterwards. Beds left behind by a test process that was killed before its clean-up ran are stopped first.
///
/// ```swift
/// try await withLoopbackBed(hosts: 4) { bed, directory in
///     let configuration = bed.cuminConfiguration()
///     ...
/// }
/// ```
public func withLoopbackBed<T>(
    label: String = "cumin-bed", hosts: Int = 3, shared: Int = 0, _ body: (TestBed, String) async throws -> T
) async throws -> T {
    stopLoopbackBedsOfDeadTestRuns(label: label)
    let directory = NSTemporaryDirectory() + "\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
    let bed = try TestBed.start(TestBedConfiguration(directory: directory, hostCount: hosts, sharedHostCount: shared))
    defer {
        try? bed.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
    return try await body(bed, directory)
}

extension TestBed {
    /// Cumin's configuration for this bed: its ssh_config, the direct backend, a 5 s connect timeout.
    public func cuminConfiguration() -> Configuration {
        var configuration = Configuration()
        configuration.defaultBackend = "direct"
        configuration.clustershell.sshOptions = ["-F \(sshConfigPath)"]
        configuration.clustershell.connectTimeout = 5
        return configuration
    }
}

/// Stops (by the PIDs they recorded) the beds named `<label>-<pid>-<random>` whose test process is gone.
private func stopLoopbackBedsOfDeadTestRuns(label: String) {
    let temporary = NSTemporaryDirectory()
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
    for entry in entries.prefix(10_000) where entry.hasPrefix(label + "-") {
        let parts = entry.dropFirst(label.count + 1).split(separator: "-")
        guard parts.count == 2, let owner = Int32(parts[0]), owner != getpid(), kill(owner, 0) != 0, errno == ESRCH
        else { continue }
        let directory = temporary + entry
        try? TestBed.attach(directory: directory).stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// ``withLoopbackBed(label:hosts:shared:_:)`` handing the body the bed's ``TestBed/cuminConfiguration()``.
public func withCuminBed<T>(
    label: String = "cumin-bed", hosts: Int = 3, shared: Int = 0, _ body: (TestBed, Configuration) async throws -> T
) async throws -> T {
    try await withLoopbackBed(label: label, hosts: hosts, shared: shared) { bed, _ in
        try await body(bed, bed.cuminConfiguration())
    }
}
