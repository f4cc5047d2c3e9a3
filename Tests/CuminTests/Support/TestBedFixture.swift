import Cumin
import Foundation
import TestBed

/// Starts a bed of real loopback sshds for one test and stops it (by PID) afterwards.
func withTestBed<T>(
    hosts: Int = 3, shared: Int = 0, _ body: (TestBed, Configuration) async throws -> T
) async throws -> T {
    stopBedsOfDeadTestRuns()
    let directory = NSTemporaryDirectory() + "cumin-bed-\(getpid())-\(UUID().uuidString.prefix(8))"
    let bed = try TestBed.start(TestBedConfiguration(directory: directory, hostCount: hosts, sharedHostCount: shared))
    defer {
        try? bed.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
    var configuration = Configuration()
    configuration.defaultBackend = "direct"
    configuration.clustershell.sshOptions = ["-F \(bed.sshConfigPath)"]
    configuration.clustershell.connectTimeout = 5
    return try await body(bed, configuration)
}

/// Stops (by the PIDs they recorded) the beds left behind by a test process that was killed before its
/// `defer` ran; their directory names carry the PID of the test process that started them.
private func stopBedsOfDeadTestRuns() {
    let temporary = NSTemporaryDirectory()
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
    for entry in entries.prefix(10_000) where entry.hasPrefix("cumin-bed-") {
        let parts = entry.split(separator: "-")
        guard parts.count >= 4, let owner = Int32(parts[2]), owner != getpid(), kill(owner, 0) != 0 else { continue }
        let directory = temporary + entry
        try? TestBed.attach(directory: directory).stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}


/// What a finished child process printed.
struct ProcessOutput {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs an executable with no standard input, kills it after `timeout` seconds.
func runProcess(
    _ path: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Double = 60,
    whileRunning: ((Process) throws -> Void)? = nil
) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    try whileRunning?(process)
    let outData = stdout.fileHandleForReading.readDataToEndOfFile()
    let errData = stderr.fileHandleForReading.readDataToEndOfFile()
    while process.isRunning && Date() < deadline { usleep(10_000) }
    if process.isRunning { process.terminate() }
    process.waitForExit()
    return ProcessOutput(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}
