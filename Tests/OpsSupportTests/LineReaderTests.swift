import Foundation
import OpsSupport
import Testing

@Suite struct LineReaderTests {
    @Test func readsLinesFromAPipeAsTheyArrive() async throws {
        let pipe = Pipe()
        let reader = LineReader(fileDescriptor: pipe.fileHandleForReading.fileDescriptor)
        let first = Task { await reader.nextLine() }
        try await Task.sleep(for: .milliseconds(50))
        pipe.fileHandleForWriting.write(Data("one\ntw".utf8))
        #expect(await first.value == "one")
        pipe.fileHandleForWriting.write(Data("o\nlast".utf8))
        #expect(await reader.nextLine() == "two")
        try pipe.fileHandleForWriting.close()
        #expect(await reader.nextLine() == "last")
        #expect(await reader.nextLine() == nil)
    }

    @Test func aWaitingReadEndsWhenItsTaskIsCancelled() async throws {
        let pipe = Pipe()
        let reader = LineReader(fileDescriptor: pipe.fileHandleForReading.fileDescriptor)
        let waiting = Task { await reader.nextLine() }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        #expect(await waiting.value == nil)
        // The reader still works for the next caller.
        pipe.fileHandleForWriting.write(Data("after\n".utf8))
        #expect(await reader.nextLine() == "after")
        try pipe.fileHandleForWriting.close()
    }

    @Test func readsARegularFileAndDevNull() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ops-\(UUID().uuidString)").path
        try "a\nb".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        let reader = LineReader(fileDescriptor: handle.fileDescriptor)
        #expect(await reader.nextLine() == "a")
        #expect(await reader.nextLine() == "b")
        #expect(await reader.nextLine() == nil)
        let null = try #require(FileHandle(forReadingAtPath: "/dev/null"))
        defer { try? null.close() }
        #expect(await LineReader(fileDescriptor: null.fileDescriptor).nextLine() == nil)
    }
}
