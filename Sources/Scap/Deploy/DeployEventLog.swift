import Foundation

/// Where a deploy reports its events: one JSON record per line in the deploy log, and the console.
public struct DeployEventLog: Sendable {
    /// The deploy log, or `nil` before it is opened (and in tests that do not need it).
    public var writer: DeployLogWriter?
    /// The deploy host's name, the `host` of records that do not come from a target.
    public var host: String
    /// Prints a console line.
    public var console: @Sendable (String) -> Void

    /// Creates an event log.
    public init(
        writer: DeployLogWriter? = nil, host: String = ProcessInfo.processInfo.hostName,
        console: @escaping @Sendable (String) -> Void = { print($0) }
    ) {
        self.writer = writer
        self.host = host
        self.console = console
    }

    /// Records `message` with `extra` fields; prints it too when `onConsole`.
    public func record(
        _ message: String, level: LogLevel = .info, event: String, host: String? = nil,
        extra: [String: JSONValue] = [:], onConsole: Bool = true
    ) {
        var fields = extra
        fields["event"] = .string(event)
        let name = host.map { "target.\($0)" } ?? "deploy"
        try? writer?.append(
            DeployLogRecord(name: name, level: level.rawValue, message: message, host: host ?? self.host, extra: fields))
        if onConsole { console(host.map { "[\($0)] \(message)" } ?? message) }
    }
}
