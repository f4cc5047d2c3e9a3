import Logging
import Wmflib

/// Announces deploys and locks on IRC and the Server Admin Log through tcpircbot (`tcpircbot_host` and
/// `tcpircbot_port`), as scap's `announce` logger: `!log deployer@deploy1002 Started deploy [repo@abc1234]: msg`.
///
/// Without `tcpircbot_host` nothing is sent. Delivery is best effort (one second to connect and send); a failure
/// never stops a deploy and is counted in ``statistics``.
/// ```swift
/// let announcer = ScapAnnouncer(config: config, user: request.user)
/// announcer.announce("Started deploy [citoid/deploy@abc1234]: v2")
/// ```
public struct ScapAnnouncer: Sendable {
    private let logger: Logger?
    /// Messages delivered and failed.
    public let statistics = IRCDeliveryStatistics()

    /// Creates an announcer from the configuration's relay address; `user` is named in the messages.
    public init(config: ScapConfig, user: String, hostname: String = currentHostname()) {
        self.init(host: config.tcpircbotHost, port: config.tcpircbotPort, user: user, hostname: hostname)
    }

    /// Creates an announcer for the relay at `host:port`; silent when `host` is `nil` or empty.
    public init(host: String?, port: Int, user: String, hostname: String = currentHostname()) {
        guard let host, !host.isEmpty else {
            logger = nil
            return
        }
        let statistics = self.statistics
        logger = Logger(label: "scap.announce") { _ in
            SALSocketHandler(host: host, port: port, username: user, hostname: hostname, statistics: statistics)
        }
    }

    /// Whether messages go anywhere.
    public var isEnabled: Bool { logger != nil }

    /// Sends `message` as `!log user@host message`.
    public func announce(_ message: String) {
        logger?.info("\(message)")
    }
}
