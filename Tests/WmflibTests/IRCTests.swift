import TestBed
import Foundation
import Logging
import Testing

@testable import Wmflib

@Suite struct IRCTests {
    @Test func sendsUserAtHostMessagePerRecord() throws {
        let listener = try TCPListener()
        defer { listener.stop() }
        _ = listener.accept(count: 2)
        let handler = IRCSocketHandler(host: "127.0.0.1", port: listener.port, username: "alice", hostname: "cumin1001")
        let logger = Logger(label: "irc") { _ in handler }
        logger.info("Restarting nginx on 3 hosts")
        logger.debug("not sent: below info")
        logger.warning("Done")
        #expect(listener.messages(count: 2) == ["alice@cumin1001 Restarting nginx on 3 hosts", "alice@cumin1001 Done"])
        #expect(handler.statistics.sent == 2)
        #expect(handler.statistics.failed == 0)
    }

    @Test func salPrefixesLog() throws {
        let listener = try TCPListener()
        defer { listener.stop() }
        _ = listener.accept(count: 1)
        let handler = SALSocketHandler(host: "127.0.0.1", port: listener.port, username: "bob", hostname: "cumin2002")
        Logger(label: "sal") { _ in handler }.info("START - Cookbook sre.demo ünïcode")
        #expect(listener.messages(count: 1) == ["!log bob@cumin2002 START - Cookbook sre.demo ünïcode"])
        #expect(
            Array(listener.messages(count: 1)[0].utf8).count
                == "!log bob@cumin2002 START - Cookbook sre.demo ünïcode".utf8.count)
    }

    /// A newline in a deploy or cookbook message used to send a second, forged `!log` line.
    @Test func aMessageIsAlwaysOneLine() throws {
        let listener = try TCPListener()
        defer { listener.stop() }
        _ = listener.accept(count: 1)
        let handler = SALSocketHandler(host: "127.0.0.1", port: listener.port, username: "bob", hostname: "deploy1002")
        Logger(label: "sal") { _ in handler }.info("legit\n!log root@deploy1002 Synchronized\r\u{2028}x\u{85}y\u{0}z")
        let messages = listener.messages(count: 1)
        #expect(messages == ["!log bob@deploy1002 legit !log root@deploy1002 Synchronized  x y z"])
        let wire = handler.statistics.sent
        #expect(wire == 1)
        let plain = IRCSocketHandler(host: "h", port: 1, username: "u\nv", hostname: "h\r")
        #expect(!plain.wireMessage(for: "a\nb\u{2029}c").contains { $0.isNewline })
    }

    @Test func wireMessageIsTrimmed() {
        let handler = IRCSocketHandler(host: "h", port: 1, username: "u", hostname: "host")
        #expect(handler.wireMessage(for: "msg\n") == "u@host msg")
        #expect(handler.wireMessage(for: "") == "u@host")
    }

    @Test func unreachablePortDoesNotThrow() throws {
        let port = try closedPort()
        let handler = IRCSocketHandler(host: "127.0.0.1", port: port, username: "u", hostname: "h")
        let start = ContinuousClock.now
        Logger(label: "irc") { _ in handler }.info("lost")
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(handler.statistics.failed == 1)
        #expect(handler.statistics.sent == 0)
        #expect(handler.statistics.lastError?.message.contains("127.0.0.1:\(port)") == true)
    }

    @Test func unansweredConnectReturnsWithinTheTimeout() throws {
        // A loopback listener whose accept queue is full drops new SYNs, so connect() hangs like a black hole.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 0) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        var fillers: [Int32] = []
        defer { fillers.forEach { close($0) } }
        for _ in 0..<3 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, length) }
            }
            fillers.append(filler)
        }
        let handler = IRCSocketHandler(
            host: "127.0.0.1", port: port, username: "u", hostname: "h", timeout: .milliseconds(300))
        let start = ContinuousClock.now
        Logger(label: "irc") { _ in handler }.info("lost")
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(handler.statistics.failed + handler.statistics.sent == 1)
    }

}
