import Cumin
import Foundation
import Logging
import Wmflib

/// The logging of one `cookbook` process: the console, the two log files of the cookbook (or menu group) path, and
/// the IRC and SAL relays.
///
/// `<logs_base_dir>/sre/hosts/reboot-single.log` gets INFO and up, `reboot-single-extended.log` everything with the
/// logger and source line; both rotate at 10 MiB and keep 500 files, for audit.
public struct RunLogging: Sendable {
    /// The INFO log file.
    public let logFile: String
    /// The DEBUG log file.
    public let extendedLogFile: String
    /// Whether IRC and SAL messages are sent (configured and not a dry run).
    public let ircEnabled: Bool
    /// Counters of IRC deliveries.
    public let ircStatistics: IRCDeliveryStatistics
    private let factory: @Sendable (String) -> [any LogHandler]
    private let ircFactory: (@Sendable (String) -> any LogHandler)?
    private let salFactory: (@Sendable (String) -> any LogHandler)?

    /// Opens the log files for `path` (the dotted cookbook or group name; empty for the root menu).
    /// - Parameters:
    ///   - logsBaseDirectory: `logs_base_dir`.
    ///   - name: the cookbook or group; `sre.hosts.reboot-single` → `sre/hosts/reboot-single.log`.
    ///   - group: the directory of the cookbook (`demo` for `demo.multi.First`, logged to `demo/multi.First.log`);
    ///     `nil` when `name` is a group.
    ///   - user: the operator.
    ///   - dryRun: adds the `DRY-RUN` markers and shows DEBUG on the console.
    ///   - console: where console lines go.
    ///   - irc: the tcpircbot endpoint, when configured.
    /// - Throws: ``ConfigurationError`` when the files cannot be opened.
    public init(
        logsBaseDirectory: String, name: String, group: String? = nil, user: String, hostname: String, dryRun: Bool,
        console: ConsoleLogHandler.Output = .standardError, irc: (host: String, port: Int)?
    ) throws(ConfigurationError) {
        let relative: String
        if name.isEmpty {
            relative = "cookbooks"
        } else if let group, !group.isEmpty, name.hasPrefix(group + ".") {
            relative = group.replacingOccurrences(of: ".", with: "/") + "/" + name.dropFirst(group.count + 1)
        } else if let group, group.isEmpty {
            relative = name
        } else {
            relative = name.replacingOccurrences(of: ".", with: "/")
        }
        let base = (logsBaseDirectory as NSString).appendingPathComponent(relative)
        logFile = base + ".log"
        extendedLogFile = base + "-extended.log"
        let normalSink: FileLogHandler.Sink
        let extendedSink: FileLogHandler.Sink
        do {
            normalSink = try FileLogHandler.Sink(path: logFile)
            extendedSink = try FileLogHandler.Sink(path: extendedLogFile)
        } catch {
            throw ConfigurationError(
                path: logsBaseDirectory, key: "logs_base_dir", message: "cannot write the log files: \(error)",
                hint: "make the directory writable or point logs_base_dir elsewhere")
        }
        factory = { label in
            [
                ConsoleLogHandler(label: label, dryRun: dryRun, output: console),
                RunLogFileHandler(label: label, format: .normal, user: user, dryRun: dryRun, sink: normalSink),
                RunLogFileHandler(label: label, format: .extended, user: user, dryRun: dryRun, sink: extendedSink),
            ]
        }
        let statistics = IRCDeliveryStatistics()
        ircStatistics = statistics
        if let irc, !dryRun {
            ircEnabled = true
            ircFactory = { _ in
                IRCSocketHandler(host: irc.host, port: irc.port, username: user, hostname: hostname, statistics: statistics)
            }
            salFactory = { _ in
                SALSocketHandler(host: irc.host, port: irc.port, username: user, hostname: hostname, statistics: statistics)
            }
        } else {
            ircEnabled = false
            ircFactory = nil
            salFactory = nil
        }
    }

    /// Routes every `Logger` of the process to the console and the files. Call once per process.
    public func bootstrap() {
        let factory = self.factory
        LoggingSystem.bootstrap { label in MultiplexLogHandler(factory(label)) }
    }

    /// A logger writing to the console and the files, whatever the global bootstrap.
    public func logger(label: String) -> Logger {
        let factory = self.factory
        return Logger(label: label) { label in MultiplexLogHandler(factory(label)) }
    }

    /// The IRC logger (`user@host message`), also on the console and in the files.
    public func ircLogger() -> Logger {
        relayLogger(label: "spicerack_irc_announce", relay: ircFactory)
    }

    /// The SAL logger (`!log user@host message`), also on the console and in the files.
    public func salLogger() -> Logger {
        relayLogger(label: "spicerack_sal_announce", relay: salFactory)
    }

    /// Sends one line to IRC only (the awaiting-input notification).
    public func notifyIRC(_ message: String) {
        guard let ircFactory else { return }
        var logger = Logger(label: "spicerack_notify") { label in ircFactory(label) }
        logger.logLevel = .info
        logger.info("\(message)")
    }

    private func relayLogger(label: String, relay: (@Sendable (String) -> any LogHandler)?) -> Logger {
        let factory = self.factory
        return Logger(label: label) { label in
            MultiplexLogHandler(factory(label) + (relay.map { [$0(label)] } ?? []))
        }
    }
}
