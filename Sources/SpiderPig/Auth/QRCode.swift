import Foundation

/// QR codes of otpauth URLs, drawn by Debian's `qrencode` (libqrencode's command line) started from an argument
/// vector: text for a terminal (`spiderpig otp --qr`) or SVG for the enrolment page.
public enum QRCode {
    /// What to draw.
    public enum Format: String, Sendable {
        /// Unicode half blocks with ANSI colours, for a terminal.
        case terminal = "ANSIUTF8"
        /// An SVG document (no script, no text), for an `<img>`.
        case svg = "SVG"
    }

    /// `qrencode` is missing or failed.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What went wrong and what to do.
        public var description: String
    }

    /// Where `qrencode` is: the first executable `qrencode` on `path` (colon-separated), else `nil`.
    public static func executable(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        let directories = (path ?? "").split(separator: ":").map(String.init)
        return directories.map { $0 + "/qrencode" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `text` as a QR code in `format`.
    /// - Throws: ``Failure`` when `qrencode` is not installed (naming the package) or fails.
    public static func encode(_ text: String, format: Format, executable: String? = QRCode.executable()) throws
        -> String
    {
        guard let executable else {
            throw Failure(
                description:
                    "qrencode is not installed, so no QR code can be drawn (Debian: apt-get install qrencode); "
                    + "the otpauth URL and the secret enrol an authenticator app as well")
        }
        guard text.utf8.count <= 1000, !text.contains("\0") else {
            throw Failure(description: "the text is too long for a QR code (\(text.utf8.count) bytes)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        // Level M, 2-module margin; the text is one argument after "--", never an option.
        process.arguments = ["-t", format.rawValue, "-l", "M", "-m", "2", "-o", "-", "--", text]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(description: "cannot run \(executable): \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, !data.isEmpty else {
            let reason = String(decoding: message.prefix(300), as: UTF8.self).trimmingCharacters(
                in: .whitespacesAndNewlines)
            throw Failure(description: "\(executable) failed (status \(process.terminationStatus)): \(reason)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
