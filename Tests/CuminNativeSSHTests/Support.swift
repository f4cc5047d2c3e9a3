import Cumin
import Foundation
import TestBed

/// Starts a bed of loopback sshds for one test and stops it (by PID) afterwards; the configuration selects `transport`.
func withBed<T>(hosts: Int = 3, _ body: (TestBed, Configuration) async throws -> T) async throws -> T {
    let directory = NSTemporaryDirectory() + "native-bed-\(getpid())-\(UUID().uuidString.prefix(8))"
    let bed = try TestBed.start(TestBedConfiguration(directory: directory, hostCount: hosts))
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

/// A fresh private directory, removed by the caller.
func makeScratchDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "native-ssh-\(getpid())-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs a program to completion with no input; returns its exit status, standard output and standard error.
@discardableResult
func runTool(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = Pipe()
    // Standard error goes to a file, so that neither stream can fill a pipe and stall the program.
    let errorPath = NSTemporaryDirectory() + "native-ssh-stderr-\(UUID().uuidString)"
    FileManager.default.createFile(atPath: errorPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: errorPath) }
    process.standardOutput = output
    process.standardError = FileHandle(forWritingAtPath: errorPath)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let error = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
    return (process.terminationStatus, String(decoding: data, as: UTF8.self), error)
}

/// `ssh-keygen` writing a key of `type` (and `bits`) to `path`, with an optional passphrase and cipher.
func makeKey(_ path: String, type: String, bits: Int? = nil, passphrase: String = "", cipher: String? = nil) throws {
    var arguments = ["-q", "-t", type, "-N", passphrase, "-f", path, "-C", "test key"]
    if let bits { arguments += ["-b", String(bits)] }
    if let cipher { arguments += ["-Z", cipher] }
    let result = try runTool("/usr/bin/ssh-keygen", arguments)
    if result.status != 0 { throw CocoaError(.fileWriteUnknown) }
}
