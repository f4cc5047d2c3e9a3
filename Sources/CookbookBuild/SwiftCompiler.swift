import Foundation

/// Runs `swift build` on a generated package and reads the file-level errors out of its output.
struct SwiftCompiler {
    /// One `path:line:column: error: message` diagnostic.
    struct Diagnostic: Equatable {
        var path: String
        var line: Int
        var column: Int
        var message: String
    }

    /// The `swift` driver: `SWIFT_EXEC`-style override, else `swift` on PATH, else the toolchain in /opt/swift.
    static func swiftExecutable(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let configured = environment["SPICERACK_SWIFT"], !configured.isEmpty { return configured }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/swift"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let fallback = "/opt/swift/usr/bin/swift"
        return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
    }

    let swift: String

    /// Builds the package; returns whether it succeeded and everything it printed.
    func build(packageDirectory: String) throws(BuildError) -> (succeeded: Bool, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: swift)
        process.arguments = [
            "build", "-c", "debug", "--package-path", packageDirectory, "--scratch-path", packageDirectory + "/.build",
            "--disable-sandbox",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw BuildError("cannot run \(swift): \(error.localizedDescription)", hint: "install the Swift toolchain or prebuild with `cookbook build`")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus == 0, String(decoding: data, as: UTF8.self))
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
