import Foundation
import Logging

/// A swift-log handler that relays records to IRC through a tcpircbot server (wmflib's `irc.SocketHandler`).
///
/// Each record at ``logLevel`` (info by default) or above is sent as `user@host message` over a fresh TCP
/// connection, with a one-second limit to connect and to send; failures are counted in ``statistics`` and never
/// reach the caller. tcpircbot then posts `logmsgbot: user@host1001 message` in its channel.
/// ```swift
/// let irc = Logger(label: "irc") { _ in IRCSocketHandler(host: "irc.example.org", port: 9200, username: getUsername()) }
/// irc.info("Message")
/// ```
public struct IRCSocketHandler: LogHandler {
    /// The command prefixed to every message (`!log` for ``SALSocketHandler``, empty here).
    public let command: String
    /// The user named in the messages.
    public let username: String
    /// The host named in the messages; this machine by default.
    public let hostname: String
    /// The counters of delivered and failed records, shared by copies of this handler.
    public let statistics: IRCDeliveryStatistics
    /// The minimum level relayed; info by default.
    public var logLevel: Logger.Level = .info
    /// Metadata attached to the logger (not sent: wmflib sends only the message).
    public var metadata: Logger.Metadata = [:]
    private let sender: TCPMessageSender

    /// Creates a handler.
    /// - Parameters:
    ///   - host: the tcpircbot host.
    ///   - port: the tcpircbot port, which selects the channel.
    ///   - username: the user to name in the messages, usually ``getUsername(environment:)``.
    ///   - hostname: the host to name in the messages; this machine by default.
    ///   - timeout: the limit for connecting and for sending each record.
    ///   - command: a prefix such as `!log`; none by default.
    ///   - statistics: where to count deliveries; a fresh counter by default.
    public init(
        host: String, port: Int, username: String, hostname: String = currentHostname(),
        timeout: Duration = .seconds(1), command: String = "", statistics: IRCDeliveryStatistics = IRCDeliveryStatistics()
    ) {
        self.sender = TCPMessageSender(host: host, port: port, timeout: timeout)
        self.username = username
        self.hostname = hostname
        self.command = command
        self.statistics = statistics
    }

    /// The text sent for a message: `[command ]user@host message`, trimmed.
    ///
    /// Every control character (CR and LF included), line or paragraph separator and U+0085 in the parts becomes
    /// one space, so a message is always exactly one IRC line and cannot forge a second `!log` entry.
    public func wireMessage(for message: String) -> String {
        let line = "\(command) \(Self.singleLine(username))@\(Self.singleLine(hostname)) \(Self.singleLine(message))"
        return line.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `text` with each control, format-breaking or line-separating character replaced by a space.
    public static func singleLine(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator: result.append(" ")
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    /// Gets or sets one metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Sends the record; never throws, failures are counted in ``statistics``.
    public func log(event: LogEvent) {
        do {
            try sender.send(wireMessage(for: event.message.description))
            statistics.recordSuccess()
        } catch {
            statistics.recordFailure(error)
        }
    }
}

/// A swift-log handler that writes to the Server Admin Log: an ``IRCSocketHandler`` prefixing `!log `
/// (wmflib's `irc.SALSocketHandler`), so the record arrives as `!log user@host message`.
public struct SALSocketHandler: LogHandler {
    private var base: IRCSocketHandler

    /// Creates a handler; the parameters are those of ``IRCSocketHandler``.
    public init(
        host: String, port: Int, username: String, hostname: String = currentHostname(),
        timeout: Duration = .seconds(1), statistics: IRCDeliveryStatistics = IRCDeliveryStatistics()
    ) {
        base = IRCSocketHandler(
            host: host, port: port, username: username, hostname: hostname, timeout: timeout, command: "!log",
            statistics: statistics)
    }

    /// The counters of delivered and failed records.
    public var statistics: IRCDeliveryStatistics { base.statistics }

    /// The minimum level relayed; info by default.
    public var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    /// Metadata attached to the logger (not sent).
    public var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    /// Gets or sets one metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    /// Sends the record as `!log user@host message`; never throws.
    public func log(event: LogEvent) {
        base.log(event: event)
    }
}
