import Cumin
import Foundation
import TestBed

/// A bed of loopback sshds started through the `testbed` executable (as an operator would),
/// stopped by its recorded PIDs afterwards. Each host has a private /srv.
struct TargetBed {
    var directory: String
    var hosts: [String]

    var sshConfigPath: String { directory + "/ssh_config" }

    /// Where the /srv of `host` lives on the controller.
    func srvPath(of host: String) -> String { directory + "/hosts/\(host)/srv" }

    /// Cumin's configuration for the bed.
    var configuration: Configuration {
        var configuration = Configuration()
        configuration.defaultBackend = "direct"
        configuration.clustershell.sshOptions = ["-F \(sshConfigPath)"]
        configuration.clustershell.connectTimeout = 5
        return configuration
    }
}

/// Starts a bed of `hosts` hosts for one test and stops it afterwards.
func withTargetBed<T>(hosts: Int = 2, _ body: (TargetBed) async throws -> T) async throws -> T {
    ignoreBrokenPipes()
    let testbed = productPath("testbed")
    let directory = NSTemporaryDirectory() + "scap-target-bed-\(getpid())-\(UUID().uuidString.prefix(8))"
    let started = try runTool(testbed, ["start", "--dir", directory, "--hosts", String(hosts)])
    guard started.status == 0 else {
        throw TargetTestFailure("testbed start failed: \(started.stdout) \(started.stderr)")
    }
    defer {
        _ = try? runTool(testbed, ["stop", "--dir", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }
    return try await body(TargetBed(directory: directory, hosts: (1...hosts).map { "host\($0)" }))
}

/// A test precondition that did not hold.
struct TargetTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What a finished child process printed.
struct ToolOutput {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs an executable with no standard input; kills it after `timeout` seconds.
/// This process's environment without `SUDO_USER`: `scap` refuses root reached through sudo, and CI may run the
/// tests that way.
let scapTestEnvironment = ProcessInfo.processInfo.environment.filter { $0.key != "SUDO_USER" }

func runTool(_ path: String, _ arguments: [String], currentDirectory: String? = nil, timeout: Double = 60) throws
    -> ToolOutput
{
    ignoreBrokenPipes()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.environment = scapTestEnvironment
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
    let outData = stdout.fileHandleForReading.readDataToEndOfFile()
    let errData = stderr.fileHandleForReading.readDataToEndOfFile()
    // Not waitUntilExit(): its run loop is not safe when several threads wait for processes at once.
    process.waitForExit(timeout: timeout)
    killer.cancel()
    return ToolOutput(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// Runs `script` with the local `sh` (for stages run without SSH).
func runShell(_ script: String, timeout: Double = 60) throws -> ToolOutput {
    try runTool("/bin/sh", ["-c", script], timeout: timeout)
}
