import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Appends records to a deploy log, one JSON object per line.
///
/// The file is opened `O_APPEND`, and each record is written with a single `write(2)`, so that concurrent writers
/// (the deploy and `deploy-local` relays) never interleave or overwrite each other's lines.
/// ```swift
/// let writer = try DeployLogWriter(path: "scap/log/scap-sync-2026-01-01-0001.log")
/// try writer.append(DeployLogRecord(name: "deploy", message: "Started deploy", host: "deploy1002"))
/// ```
public final class DeployLogWriter: Sendable {
    /// The log file.
    public let path: String
    private let descriptor: Int32

    /// Opens (creating it, mode 0644) `path` for appending.
    /// - Throws: ``DeployLogError`` when the file cannot be opened.
    public init(path: String) throws(DeployLogError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw DeployLogError(path: path, message: "cannot open for appending: \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Appends one record as one line.
    /// - Throws: ``DeployLogError`` when the record cannot be encoded or the write fails.
    public func append(_ record: DeployLogRecord) throws(DeployLogError) {
        let line: String
        do {
            line = try record.jsonLine() + "\n"
        } catch {
            throw DeployLogError(path: path, message: "cannot encode the record: \(error)")
        }
        let bytes = Array(line.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw DeployLogError(path: path, message: "write failed: \(String(cString: strerror(errno)))")
            }
            written += result
        }
    }
}
