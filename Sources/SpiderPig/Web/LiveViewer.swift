import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket

/// One WebSocket viewer: the queue, and a job's records from `after` on, live. Records come from the hub as
/// messages rendered once for every viewer; any gap (a viewer whose queue overflowed, or a reconnect) is refilled
/// from storage, so nothing is lost or doubled.
struct LiveViewer {
    let store: any SpiderPigStore
    let hub: Hub
    let runner: JobRunner
    let user: String
    let sessionHash: String
    let jobID: Int64?
    let after: Int64
    let showSensitive: Bool
    let logger: Logger
    static let heartbeat: Duration = .seconds(10)

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let (id, queue) = await hub.subscribe(user: user, sessionHash: sessionHash)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // The client's messages are not commands; reading them notices its close.
                    for try await _ in inbound.messages(maxSize: 4096) {}
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: Self.heartbeat)
                        await hub.send(.heartbeat, to: id)
                    }
                }
                group.addTask { try await stream(queue, to: outbound) }
                _ = try await group.next()
                group.cancelAll()
            }
        } catch {
            await hub.unsubscribe(id)
            throw error
        }
        await hub.unsubscribe(id)
    }

    private func stream(_ queue: ViewerQueue, to outbound: WebSocketOutboundWriter) async throws {
        try await outbound.write(.text(#"{"type":"hello","user":"\#(LogText.jsonEscaped(user))"}"#))
        try await outbound.write(.text(try await runner.queueSnapshot()))
        var last = after
        if let jobID { last = try await refill(jobID, after: last, upTo: nil, outbound) }
        while let events = await queue.next() {
            for event in events {
                switch event {
                case .records(let published):
                    let records = published.records
                    guard let jobID, let first = records.first, first.jobID == jobID else { continue }
                    if first.sequence == last + 1, let tail = records.last {
                        // The usual case: the next records, rendered once for every viewer.
                        try await send(showSensitive ? published.unmasked : published.masked, outbound)
                        last = tail.sequence
                        continue
                    }
                    let fresh = records.filter { $0.sequence > last }
                    guard let head = fresh.first else { continue }
                    if head.sequence > last + 1 {
                        last = try await refill(jobID, after: last, upTo: head.sequence - 1, outbound)
                    }
                    let batch = fresh.filter { $0.sequence > last }
                    guard let tail = batch.last else { continue }
                    try await outbound.write(.text(LogText.message(batch, showSensitive: showSensitive)))
                    last = tail.sequence
                case .overflow:
                    // Batches were dropped from this viewer's queue: resume from storage after what it was sent.
                    guard let jobID else { continue }
                    logger.info(
                        "a viewer of job \(jobID) (\(user)) fell behind: it resumes from storage after sequence \(last)"
                    )
                    last = try await refill(jobID, after: last, upTo: nil, outbound)
                case .queue(let snapshot):
                    try await outbound.write(.text(snapshot))
                case .heartbeat:
                    let session = try? await store.session(idHash: sessionHash, now: Date())
                    let banned = (try? await store.user(user))??.banned ?? false
                    guard session != nil, !banned else {
                        try await outbound.close(.policyViolation, reason: "session ended")
                        return
                    }
                    try await outbound.write(.text(#"{"type":"ping","seq":\#(last)}"#))
                case .close(let reason):
                    try await outbound.close(.policyViolation, reason: reason)
                    return
                }
            }
        }
        // The queue ended: the viewer left (cancelled) or the hub dropped it.
        if !Task.isCancelled { try await outbound.close(.policyViolation, reason: "session ended") }
    }

    /// One text message from bytes shared with other viewers.
    private func send(_ message: ByteBuffer, _ outbound: WebSocketOutboundWriter) async throws {
        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: message)))
    }

    /// Sends stored records after `after` (up to `upTo`); returns the last sequence sent.
    private func refill(_ jobID: Int64, after: Int64, upTo: Int64?, _ outbound: WebSocketOutboundWriter) async throws
        -> Int64
    {
        var last = after
        while true {
            let batch = try await store.records(jobID: jobID, after: last, limit: 1000)
            let wanted = batch.filter { record in upTo.map { record.sequence <= $0 } ?? true }
            // Messages of at most about JobRunner.messageBytes (lines are up to 64 KiB each).
            var start = 0
            while start < wanted.count {
                var end = start
                var bytes = 0
                while end < wanted.count
                    && (end == start || bytes + wanted[end].payload.utf8.count <= JobRunner.messageBytes)
                {
                    bytes += wanted[end].payload.utf8.count
                    end += 1
                }
                try await outbound.write(
                    .text(LogText.message(Array(wanted[start..<end]), showSensitive: showSensitive)))
                last = wanted[end - 1].sequence
                start = end
            }
            if batch.count < 1000 || wanted.count < batch.count { return last }
        }
    }
}

/// How records look on the wire and in downloads.
enum LogText {
    static let hidden = "<sensitive information hidden>"

    /// The record as JSON; a sensitive line is masked unless `showSensitive`.
    static func json(_ record: LogRecord, showSensitive: Bool) -> String {
        let payload = record.sensitive && !showSensitive ? #"{"line":"\#(hidden)"}"# : record.payload
        return
            #"{"seq":\#(record.sequence),"kind":"\#(record.kind)","at":\#(record.at.timeIntervalSince1970),"sensitive":\#(record.sensitive),"payload":\#(payload)}"#
    }

    /// Records as one WebSocket message: `{"type":"records","records":[...]}` in sequence order.
    static func message(_ records: [LogRecord], showSensitive: Bool) -> String {
        #"{"type":"records","records":["#
            + records.map { json($0, showSensitive: showSensitive) }.joined(separator: ",") + "]}"
    }

    /// The record as a line of the plain-text download (only lines, answers, signals and the exit).
    static func plain(_ record: LogRecord, showSensitive: Bool) -> String {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(record.payload.utf8))) as? [String: Any] else {
            return ""
        }
        switch record.kind {
        case "line":
            if record.sensitive && !showSensitive { return hidden + "\n" }
            return (object["line"] as? String ?? "") + "\n"
        case "answer": return "[\(object["user"] ?? "?") answered '\(object["answer"] ?? "?")']\n"
        case "signal": return "[\(object["user"] ?? "?") sent \(object["signal"] ?? "?")]\n"
        case "interaction": return "[prompt] \(object["prompt"] ?? "")\n"
        case "exit": return "[scap exited with status \(object["status"] ?? "?")]\n"
        default: return ""
        }
    }

    /// `text` escaped for a JSON string.
    static func jsonEscaped(_ text: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [text]),
            let array = String(data: data, encoding: .utf8)
        else { return "" }
        return String(array.dropFirst(2).dropLast(2))
    }
}
