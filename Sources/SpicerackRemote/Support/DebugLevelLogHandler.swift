import Logging

/// Forwards every record to another handler at debug level, so that cumin's report lines (logged by the reporter
/// at info to critical) reach only the extended log and not the console a second time.
struct DebugLevelLogHandler: LogHandler {
    var wrapped: any LogHandler

    /// A logger with `logger`'s label whose records all arrive at debug level.
    static func demoting(_ logger: Logger) -> Logger {
        Logger(label: logger.label) { _ in DebugLevelLogHandler(wrapped: logger.handler) }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        guard wrapped.logLevel <= .debug else { return }
        var demoted = event
        demoted.level = .debug
        wrapped.log(event: demoted)
    }
}
