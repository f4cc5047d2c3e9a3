import Foundation
import OpsSupport

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
    public static func encode(_ text: String, format: Format, executable: String? = QRCode.executable()) async throws
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
        // Level M, 2-module margin; the text is one argument after "--", never an option.
        var child = ChildProcess(executable, ["-t", format.rawValue, "-l", "M", "-m", "2", "-o", "-", "--", text])
        child.timeout = .seconds(10)
        child.outputLimit = 1 << 20
        let result: ChildProcessResult
        do {
            result = try await child.run()
        } catch {
            throw Failure(description: "cannot run \(executable): \(error)")
        }
        guard result.succeeded, !result.standardOutput.isEmpty, !result.truncated else {
            let reason = String(result.standardErrorText.prefix(300)).trimmingCharacters(in: .whitespacesAndNewlines)
            let ending = result.timedOut ? "timed out after 10 s" : result.termination.description
            throw Failure(description: "\(executable) failed (\(ending)): \(reason)")
        }
        return result.standardOutputText
    }
}
