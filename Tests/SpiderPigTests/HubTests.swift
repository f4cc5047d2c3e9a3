import Foundation
import Testing

@testable import SpiderPig

/// A viewer's queue: bounded, the newest queue snapshot only, an overflow marker in place of dropped records.
struct HubTests {
    @Test func aViewerQueueIsBoundedAndTellsItsViewerToResume() async throws {
        let queue = ViewerQueue(limit: 1000)
        func batch(_ first: Int64, _ count: Int) -> HubEvent {
            .records(
                RecordBatch(
                    (first..<(first + Int64(count))).map {
                        LogRecord(
                            jobID: 1, sequence: $0, at: Date(), kind: "line", payload: LineRecords.plainPayload("x"),
                            sensitive: false)
                    }))
        }
        queue.push(batch(1, 5))
        queue.push(.queue("a"))
        queue.push(.queue("b"))
        let first = try #require(await queue.next())
        #expect(first.count == 2)  // the records and the newest queue snapshot only
        if case .queue(let snapshot) = first.last { #expect(snapshot == "b") } else { Issue.record("\(first)") }
        // Past the limit: the queued records are replaced by one overflow, newer records follow it.
        for start in stride(from: Int64(6), to: 206, by: 10) { queue.push(batch(start, 10)) }
        queue.push(batch(206, 1))
        let second = try #require(await queue.next())
        let overflows = second.filter { if case .overflow = $0 { true } else { false } }.count
        #expect(overflows == 1)
        if case .overflow = second.first {} else { Issue.record("the overflow is not first: \(second)") }
        queue.push(.close("bye"))
        queue.push(batch(207, 1))  // after a close: dropped
        let third = try #require(await queue.next())
        #expect(third.count == 1)
        #expect(await queue.next() == nil)
    }
}
