import Foundation
import OpsSupport

/// Compiles a tree's sources into one executable with the Swift driver in incremental mode, and reads the
/// file-level errors out of its output.
///
/// The driver is called directly rather than through SwiftPM: an executable needs no module interface, and
/// SwiftPM's emit-module job re-reads every file of the tree on each build (5 s for 500 cookbooks), while the
/// incremental driver recompiles only the changed files (0.2 s each) and relinks.
struct SwiftCompiler {
    /// One `path:line:column: error: message` diagnostic.
    struct Diagnostic: Equatable {
        var path: String
        var line: Int
        var column: Int
        var message: String
    }

    /// The `swiftc` driver: `SPICERACK_SWIFTC`, else `swiftc` on PATH, else the toolchain in /opt/swift.
    static func swiftcExecutable(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let configured = environment["SPICERACK_SWIFTC"], !configured.isEmpty { return configured }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/swiftc"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let fallback = "/opt/swift/usr/bin/swiftc"
        return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
    }

    let swiftc: String
    let framework: Framework

    /// Compiles `sources` (the last one being `main.swift`) into `output`, keeping the incremental state in
    /// `buildDirectory`.
    /// - Returns: whether it succeeded and everything the driver printed.
    func build(sources: [String], output: String, buildDirectory: String) async throws(BuildError)
        -> (succeeded: Bool, output: String)
    {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: buildDirectory, withIntermediateDirectories: true)
            try writeOutputFileMap(sources: sources, buildDirectory: buildDirectory)
            let responseFile = buildDirectory + "/sources.txt"
            try sources.map(quoted).joined(separator: "\n").write(toFile: responseFile, atomically: true, encoding: .utf8)
        } catch {
            throw BuildError("cannot write the build files in \(buildDirectory): \(error.localizedDescription)")
        }
        var arguments = [
            "-module-name", "Cookbooks", "-swift-version", "6", "-Onone", "-incremental", "-enable-batch-mode",
            "-j", "\(max(ProcessInfo.processInfo.activeProcessorCount, 1))",
            "-output-file-map", buildDirectory + "/output-file-map.json", "-emit-executable", "-o", output,
            "-I", framework.directory + "/Modules", "-L", framework.directory, "-lSpicerackFramework",
            "-Xlinker", "-rpath", "-Xlinker", framework.directory, "-no-color-diagnostics",
        ]
        for map in framework.moduleMaps { arguments += ["-Xcc", "-fmodule-map-file=\(map)"] }
        arguments.append("@" + buildDirectory + "/sources.txt")

        var driver = ChildProcess(swiftc, arguments)
        driver.workingDirectory = buildDirectory
        driver.mergeStandardError = true
        // The driver leaves temporary directories behind; keep them in the build directory and clear them.
        let temporary = buildDirectory + "/tmp"
        try? manager.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        defer { try? manager.removeItem(atPath: temporary) }
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = temporary
        driver.environment = environment
        let result: ChildProcessResult
        do {
            result = try await driver.run()
        } catch {
            throw BuildError(
                error.description, hint: "install the Swift toolchain or prebuild with `cookbook build`")
        }
        return (result.succeeded, result.standardOutputText)
    }

    /// The driver's map from each source to its object and dependency files.
    private func writeOutputFileMap(sources: [String], buildDirectory: String) throws {
        var map: [String: [String: String]] = ["": ["swift-dependencies": buildDirectory + "/module.swiftdeps"]]
        for source in sources {
            let base = buildDirectory + "/" + ((source as NSString).lastPathComponent as NSString).deletingPathExtension
            map[source] = ["object": base + ".o", "swift-dependencies": base + ".swiftdeps"]
        }
        let data = try JSONSerialization.data(withJSONObject: map, options: [.sortedKeys])
        let path = buildDirectory + "/output-file-map.json"
        if FileManager.default.contents(atPath: path) != data {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }

    private func quoted(_ path: String) -> String {
        "\"" + path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The file-level errors of a build output.
    static func diagnostics(in output: String) -> [Diagnostic] {
        var found: [Diagnostic] = []
        for line in output.split(separator: "\n") {
            guard let marker = line.range(of: ": error: ") else { continue }
            let location = line[..<marker.lowerBound].split(separator: ":", omittingEmptySubsequences: false)
            guard location.count >= 3, let lineNumber = Int(location[location.count - 2]),
                let column = Int(location[location.count - 1])
            else { continue }
            let path = location.dropLast(2).joined(separator: ":")
            guard path.hasSuffix(".swift") else { continue }
            let diagnostic = Diagnostic(
                path: path, line: lineNumber, column: column, message: String(line[marker.upperBound...]))
            if !found.contains(diagnostic) { found.append(diagnostic) }
        }
        return found
    }
}
