import Foundation
import Hummingbird
import Synchronization

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
    /// The viewer fell more than its queue's limit behind: record batches were dropped from its queue, and it
    /// must resume from the last sequence number it sent, from storage.
    case overflow
}

/// Records published together, and their WebSocket message (masked and unmasked), rendered once: every viewer
/// is sent the same bytes (a `ByteBuffer` shares its storage, so no viewer copies or encodes it).
public final class RecordBatch: Sendable {
    /// The records, in sequence order.
    public let records: [LogRecord]
    /// The message with sensitive lines masked.
    public let masked: ByteBuffer
    /// The message with sensitive lines shown (the same bytes unless the batch has a sensitive record).
    public let unmasked: ByteBuffer

    /// Renders `records`.
    public init(_ records: [LogRecord]) {
        self.records = records
        masked = ByteBuffer(string: LogText.message(records, showSensitive: false))
        unmasked =
            records.contains(where: \.sensitive)
            ? ByteBuffer(string: LogText.message(records, showSensitive: true)) : masked
    }
}

/// One viewer's events not sent yet: bounded by the bytes of the record messages in it. Past the bound the
/// record batches are dropped and replaced by one ``HubEvent/overflow``: the viewer then resumes from storage
/// after the last sequence number it sent, so a slow viewer costs a bounded amount of memory and still loses
/// nothing and receives nothing twice. Queue snapshots keep only the newest; a close ends the queue.
public final class ViewerQueue: Sendable {
    private struct State {
        var events: [HubEvent] = []
        var bytes = 0
        var ended = false
        var waiter: CheckedContinuation<[HubEvent]?, Never>?
    }
    private let state = Mutex(State())
    /// Bytes of record messages that may wait.
    public let limit: Int

    /// A queue holding at most `limit` bytes of record messages.
    public init(limit: Int) { self.limit = limit }

    /// Adds an event (never waits).
    public func push(_ event: HubEvent) {
        let wake = state.withLock { state -> (CheckedContinuation<[HubEvent]?, Never>, [HubEvent])? in
            guard !state.ended else { return nil }
            switch event {
            case .records(let batch):
                state.bytes += batch.masked.readableBytes
                if state.bytes > limit {
                    state.events.removeAll {
                        if case .records = $0 { return true }
                        if case .overflow = $0 { return true }
                        return false
                    }
                    state.events.append(.overflow)
                    state.bytes = 0
                } else {
                    state.events.append(event)
                }
            case .queue:
                state.events.removeAll {
                    if case .queue = $0 { return true }
                    return false
                }
                state.events.append(event)
            case .heartbeat:
                if !state.events.contains(where: { if case .heartbeat = $0 { true } else { false } }) {
                    state.events.append(event)
                }
            case .close:
                state.events.append(event)
                state.ended = true
            case .overflow:
                state.events.append(event)
            }
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, Self.drain(&state))
        }
        if let (waiter, events) = wake { waiter.resume(returning: events) }
    }

    /// Ends the queue: the viewer's ``next()`` returns what is left, then nil.
    public func end() {
        let waiter = state.withLock { state -> CheckedContinuation<[HubEvent]?, Never>? in
            state.ended = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Every waiting event, in order (waits for one); nil once the queue ended and is empty, or the task is
    /// cancelled.
    public func next() async -> [HubEvent]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> [HubEvent]?? in
                    if !state.events.isEmpty { return .some(Self.drain(&state)) }
                    if state.ended || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            end()
        }
    }

    private static func drain(_ state: inout State) -> [HubEvent] {
        let events = state.events
        state.events = []
        state.bytes = 0
        return events
    }
}

/// Fans stored records and queue changes out to the open WebSockets, and closes a user's or a session's sockets on
/// demand. A viewer that falls behind loses nothing: events carry sequence numbers and it refills gaps from
/// storage.
public actor Hub {
    private struct Subscriber {
        var user: String
        var sessionHash: String
        var queue: ViewerQueue
    }

    private var subscribers: [UUID: Subscriber] = [:]
    /// Bytes of record messages a viewer may have waiting (see ``ViewerQueue``).
    public let queueLimit: Int

    /// Creates an empty hub whose viewers' queues hold `queueLimit` bytes of records each.
    public init(queueLimit: Int = 8 << 20) { self.queueLimit = queueLimit }

    /// Subscribes a viewer of `user` with the session `sessionHash`.
    public func subscribe(user: String, sessionHash: String = "") -> (UUID, ViewerQueue) {
        let id = UUID()
        let queue = ViewerQueue(limit: queueLimit)
        subscribers[id] = Subscriber(user: user, sessionHash: sessionHash, queue: queue)
        return (id, queue)
    }

    /// Removes a viewer.
    public func unsubscribe(_ id: UUID) {
        subscribers.removeValue(forKey: id)?.queue.end()
    }

    /// Sends `event` to every viewer.
    public func publish(_ event: HubEvent) {
        for subscriber in subscribers.values { subscriber.queue.push(event) }
    }

    /// Sends `event` to one viewer.
    public func send(_ event: HubEvent, to id: UUID) {
        subscribers[id]?.queue.push(event)
    }

    /// Closes every viewer of `user` (or every viewer when `user` is nil).
    public func disconnect(user: String?, reason: String) {
        for (id, subscriber) in subscribers where user == nil || subscriber.user == user {
            subscriber.queue.push(.close(reason))
            subscribers.removeValue(forKey: id)
        }
    }

    /// Closes the viewers whose session is in `endedSessions` or whose user is in `bannedUsers`; returns how many.
    @discardableResult
    public func disconnect(endedSessions: Set<String>, bannedUsers: Set<String>, reason: String) -> Int {
        var closed = 0
        for (id, subscriber) in subscribers
        where endedSessions.contains(subscriber.sessionHash) || bannedUsers.contains(subscriber.user) {
            subscriber.queue.push(.close(reason))
            subscribers.removeValue(forKey: id)
            closed += 1
        }
        return closed
    }

    /// The session hashes and users of the connected viewers.
    public var viewers: [(user: String, sessionHash: String)] {
        subscribers.values.map { ($0.user, $0.sessionHash) }
    }

    /// How many viewers are connected.
    public var count: Int { subscribers.count }
}
