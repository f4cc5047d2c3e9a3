import Foundation

/// The deploy logs of a repository: `scap/log/*.log`, one file per deploy.
public struct DeployLogDirectory: Sendable {
    /// The `scap/log` directory.
    public var path: String

    /// The log directory of the deploy repository at `root`.
    public init(root: String) { path = (root as NSString).appendingPathComponent("scap/log") }

    /// The file name of a deploy's log: the `git describe` of the deploy with `/` replaced by `-`, plus `.log`.
    public static func fileName(describe: String) -> String {
        describe.replacingOccurrences(of: "/", with: "-") + ".log"
    }

    /// The most recently modified `*.log` file, or `nil` when there is none.
    public func latestFile() -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return nil }
        let candidates: [(path: String, modified: Date)] = names.filter { $0.hasSuffix(".log") }.compactMap { name in
            let file = (path as NSString).appendingPathComponent(name)
            guard let modified = try? FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date
            else { return nil }
            return (file, modified)
        }
        return candidates.max { ($0.modified, $0.path) < ($1.modified, $1.path) }?.path
    }

    /// The records of a log file in order; lines that are not records are skipped, as scap does.
    /// - Throws: ``DeployLogError`` when the file cannot be read.
    public static func records(inFile file: String) throws(DeployLogError) -> [DeployLogRecord] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DeployLogError(path: file, message: "cannot be read: check the path given with -f/--file")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { DeployLogRecord(line: $0) }
    }
}
