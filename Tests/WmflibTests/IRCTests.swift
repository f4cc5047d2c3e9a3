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
        #expect(Array(listener.messages(count: 1)[0].utf8).count == "!log bob@cumin2002 START - Cookbook sre.demo ünïcode".utf8.count)
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

    @Test func unroutableHostReturnsWithinTheTimeout() {
        let handler = IRCSocketHandler(
            host: "10.255.255.1", port: 9, username: "u", hostname: "h", timeout: .milliseconds(300))
        let start = ContinuousClock.now
        Logger(label: "irc") { _ in handler }.info("lost")
        #expect(ContinuousClock.now - start < .seconds(2))
        // Some sandboxes answer every outbound connection, so only the bound on the time is checked.
        #expect(handler.statistics.failed + handler.statistics.sent == 1)
    }

    @Test func unresolvableHostIsCounted() {
        let handler = IRCSocketHandler(host: "nonexistent.invalid", port: 9, username: "u", hostname: "h")
        Logger(label: "irc") { _ in handler }.info("lost")
        #expect(handler.statistics.failed == 1)
    }
}
