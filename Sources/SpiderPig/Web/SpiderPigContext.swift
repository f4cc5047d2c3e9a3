import Hummingbird
import HummingbirdWebSocket

/// The request context: Hummingbird's core storage, the peer's address, and the WebSocket handler slot.
public struct SpiderPigContext: RequestContext, WebSocketRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The WebSocket handler, set when the request upgrades.
    public let webSocket: WebSocketHandlerReference<SpiderPigContext>
    /// The peer's IP address, for the audit log.
    public let remoteIP: String

    /// Creates the context for a request on `source`'s channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        remoteIP = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}
