import Foundation

/// What live viewers are told.
public enum HubEvent: Sendable {
    /// Stored records of a job, in sequence order (a run of lines is published at once), with their WebSocket
    /// message rendered once for all viewers.
    case records(RecordBatch)
    /// The queue changed (its new JSON snapshot).
    case queue(String)
    /// The viewer must go (banned, logged out): close with this reason.
    case close(String)
    /// Time to send a heartbeat (and check the viewer's session).
    case heartbeat
}

/// Records published together, and their WebSocket message (masked and unmasked), rendered once.
public final class RecordBatch: Sendable {
    /// The records, in sequence order.
    public let records: [LogRecord]
    /// The message with sensitive lines masked.
    public let masked: String
    /// The message with sensitive lines shown (rendered only if the batch has one).
    public let unmasked: String

    /// Renders `records`.
    public init(_ records: [LogRecord]) {
        self.records = records
        masked = LogText.message(records, showSensitive: false)
        unmasked = records.contains(where: \.sensitive) ? LogText.message(records, showSensitive: true) : masked
    }
}

/// Fans stored records and queue changes out to the open WebSockets, and closes a user's sockets on demand.
/// A viewer that falls behind loses nothing: events carry sequence numbers and it refills gaps from storage.
public actor Hub {
    private struct Subscriber {
        var user: String
        var continuation: AsyncStream<HubEvent>.Continuation
    }

    private var subscribers: [UUID: Subscriber] = [:]

    /// Creates an empty hub.
    public init() {}

    /// Subscribes a viewer of `user`.
    public func subscribe(user: String) -> (UUID, AsyncStream<HubEvent>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<HubEvent>.makeStream(bufferingPolicy: .bufferingNewest(20000))
        subscribers[id] = Subscriber(user: user, continuation: continuation)
        return (id, stream)
    }

    /// Removes a viewer.
    public func unsubscribe(_ id: UUID) {
        subscribers.removeValue(forKey: id)?.continuation.finish()
    }

    /// Sends `event` to every viewer.
    public func publish(_ event: HubEvent) {
        for subscriber in subscribers.values { subscriber.continuation.yield(event) }
    }

    /// Sends `event` to one viewer.
    public func send(_ event: HubEvent, to id: UUID) {
        subscribers[id]?.continuation.yield(event)
    }

    /// Closes every viewer of `user` (or every viewer when `user` is nil).
    public func disconnect(user: String?, reason: String) {
        for (id, subscriber) in subscribers where user == nil || subscriber.user == user {
            subscriber.continuation.yield(.close(reason))
            subscriber.continuation.finish()
            subscribers.removeValue(forKey: id)
        }
    }

    /// How many viewers are connected.
    public var count: Int { subscribers.count }
}
