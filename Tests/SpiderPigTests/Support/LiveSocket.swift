import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import Synchronization

/// A WebSocket viewer for the tests: connects with a client's session cookie and collects every message.
final class LiveSocket: Sendable {
    private let state = Mutex<(messages: [String], closeCode: Int?, closed: Bool)>(([], nil, false))
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(url: String, cookie: String) {
        let started = Task { [self] in
            var headers = HTTPFields()
            headers[.cookie] = cookie
            let closeFrame = try? await WebSocketClient.connect(
                url: url, configuration: .init(maxFrameSize: 1 << 20, additionalHeaders: headers),
                logger: Logger(label: "test-ws")
            ) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 22) {
                    if case .text(let text) = message { self.state.withLock { $0.messages.append(text) } }
                }
            }
            let code: Int? = closeFrame.map { frame in
                switch frame.closeCode {
                case .policyViolation: 1008
                case .normalClosure: 1000
                default: 1
                }
            }
            self.state.withLock {
                $0.closeCode = code
                $0.closed = true
            }
        }
        task.withLock { $0 = started }
    }

    var messages: [[String: Any]] {
        state.withLock { $0.messages }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }
    /// Every record received, in order (messages of type `records` flattened).
    var records: [[String: Any]] {
        messages.filter { $0["type"] as? String == "records" }.flatMap { $0["records"] as? [[String: Any]] ?? [] }
    }
    var closed: Bool { state.withLock { $0.closed } }
    var closeCode: Int? { state.withLock { $0.closeCode } }

    /// Waits (at most `timeout` s) for a message matching `match`; returns it.
    func waitFor(timeout: Double = 60, _ match: ([String: Any]) -> Bool) async -> [String: Any]? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let found = messages.first(where: match) { return found }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Waits for a record of `kind` whose payload matches.
    func waitForRecord(_ kind: String, timeout: Double = 90, _ match: ([String: Any]) -> Bool = { _ in true }) async
        -> [String: Any]?
    {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let found = records.first(where: {
                $0["kind"] as? String == kind && match($0["payload"] as? [String: Any] ?? [:])
            }) {
                return found
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    func waitClosed(timeout: Double = 10) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && !closed { try? await Task.sleep(for: .milliseconds(50)) }
        return closed
    }

    func cancel() { task.withLock { $0?.cancel() } }
}
