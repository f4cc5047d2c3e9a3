// The SpiderPig benchmark's clients, out of the server's process (bench/spiderpig/run.sh starts several):
//
//   SpiderPigBenchViewers watch HOST PORT PATH COOKIE VIEWERS LINES OUT TIMEOUT
//     opens VIEWERS WebSockets on PATH (e.g. /ws?job=7) with the session COOKIE, prints "connected" once all are
//     open, and records, for every `records` message, the first and last benchmark line index in it and the
//     wall-clock time it arrived, into OUT ("first last time" per line; "# viewer N errors E" per viewer). A
//     viewer is done when it has seen line LINES-1. Sequence numbers are checked: each message must start right
//     after the previous one's last (errors counts gaps and doubles).
//   SpiderPigBenchViewers list HOST PORT PATH COOKIE CONNECTIONS SECONDS
//     GETs PATH over CONNECTIONS keep-alive connections for SECONDS; prints "requests N seconds S statuses ...".
//
// Lines are found by their text "bench-line INDEX " (the stand-in scap's lines); only the first and last of a
// message are read, so the client costs little next to the server.
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

enum Upgrade: Sendable {
    case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
    case refused
}

struct ViewerResult: Sendable {
    var samples: [(first: Int, last: Int, time: Double)] = []
    var errors = 0
    var done = false
}

/// Whether `needle` is at `index` of `bytes`.
func matches(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
    guard index >= 0, index + needle.count <= bytes.count else { return false }
    for offset in 0..<needle.count where bytes[index + offset] != needle[offset] { return false }
    return true
}

/// Index of `needle` in `bytes` from `start`, forward.
func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
    (start..<max(start, bytes.count - needle.count + 1)).first { matches(needle, in: bytes, at: $0) }
}

/// Index of the last `needle` in `bytes`, searching backwards from the end.
func findLast(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
    stride(from: bytes.count - needle.count, through: 0, by: -1).first { matches(needle, in: bytes, at: $0) }
}

func number(in bytes: UnsafeRawBufferPointer, at start: Int) -> Int? {
    var index = start
    var value = 0
    while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
        value = value * 10 + Int(bytes[index] - 48)
        index += 1
    }
    return index > start ? value : nil
}

let recordsPrefix = Array(#"{"type":"records""#.utf8)
let seqKey = Array(#"{"seq":"#.utf8)
let lineKey = Array("bench-line ".utf8)

func upgrade(host: String, port: Int, path: String, cookie: String) async throws -> Upgrade {
    let result: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: 1 << 26) { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        .websocket(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
                    }
                }
                var headers = HTTPHeaders()
                headers.add(name: "Host", value: "\(host):\(port)")
                headers.add(name: "Cookie", value: cookie)
                headers.add(name: "Content-Length", value: "0")
                let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
                let configuration = NIOTypedHTTPClientUpgradeConfiguration(
                    upgradeRequestHead: head, upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in channel.eventLoop.makeCompletedFuture { .refused } })
                return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                    configuration: .init(upgradeConfiguration: configuration))
            }
        }
    return try await result.get()
}

func watch(_ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, lines: Int) async throws -> ViewerResult {
    var result = ViewerResult()
    var lastSeq = -1
    try await channel.executeThenClose { inbound, outbound in
        var pending = ByteBuffer()
        for try await frame in inbound {
            switch frame.opcode {
            case .text, .continuation:
                if frame.opcode == .text { pending = frame.unmaskedData } else { pending.writeImmutableBuffer(frame.unmaskedData) }
                guard frame.fin else { continue }
            case .ping:
                try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
                continue
            case .connectionClose:
                return
            default:
                continue
            }
            let now = Date().timeIntervalSince1970
            pending.withUnsafeReadableBytes { bytes in
                guard bytes.starts(with: recordsPrefix) else { return }
                if let at = find(seqKey, in: bytes), let first = number(in: bytes, at: at + seqKey.count),
                    let end = findLast(seqKey, in: bytes), let last = number(in: bytes, at: end + seqKey.count)
                {
                    if lastSeq >= 0 && first != lastSeq + 1 { result.errors += 1 }
                    lastSeq = last
                }
                if let at = find(lineKey, in: bytes), let first = number(in: bytes, at: at + lineKey.count),
                    let end = findLast(lineKey, in: bytes), let last = number(in: bytes, at: end + lineKey.count)
                {
                    result.samples.append((first, last, now))
                    if last >= lines - 1 { result.done = true }
                }
            }
            if result.done { return }
        }
    }
    return result
}

func runWatch(_ arguments: [String]) async throws {
    guard arguments.count == 8, let port = Int(arguments[1]), let viewers = Int(arguments[4]),
        let lines = Int(arguments[5]), let timeout = Double(arguments[7])
    else {
        FileHandle.standardError.write(Data("usage: watch HOST PORT PATH COOKIE VIEWERS LINES OUT TIMEOUT\n".utf8))
        exit(2)
    }
    let (host, path, cookie, out) = (arguments[0], arguments[2], arguments[3], arguments[6])
    var channels: [NIOAsyncChannel<WebSocketFrame, WebSocketFrame>] = []
    for _ in 0..<viewers {
        guard case .websocket(let channel) = try await upgrade(host: host, port: port, path: path, cookie: cookie) else {
            FileHandle.standardError.write(Data("the server refused the WebSocket upgrade\n".utf8))
            exit(1)
        }
        channels.append(channel)
    }
    FileHandle.standardOutput.write(Data("connected \(viewers)\n".utf8))
    let results = await withTaskGroup(of: ViewerResult.self) { group in
        for channel in channels {
            group.addTask {
                (try? await watch(channel, lines: lines)) ?? ViewerResult(errors: 1)
            }
        }
        group.addTask {
            try? await Task.sleep(for: .seconds(timeout))
            return ViewerResult(errors: -1)
        }
        var results: [ViewerResult] = []
        for await result in group {
            if result.errors == -1 { break }
            results.append(result)
            if results.count == viewers { break }
        }
        group.cancelAll()
        return results
    }
    var text = ""
    for (index, result) in results.enumerated() {
        text += "# viewer \(index) errors \(result.errors) done \(result.done)\n"
        for sample in result.samples { text += "\(sample.first) \(sample.last) \(sample.time)\n" }
    }
    for missing in results.count..<viewers { text += "# viewer \(missing) errors 0 done false\n" }
    try text.write(toFile: out, atomically: true, encoding: .utf8)
    exit(0)
}

/// Sends GETs one after another on a keep-alive connection and counts the answers.
final class ListClient: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart
    let head: HTTPRequestHead
    let deadline: NIODeadline
    let finished: EventLoopPromise<(Int, [UInt: Int])>
    var count = 0
    var statuses: [UInt: Int] = [:]

    init(head: HTTPRequestHead, deadline: NIODeadline, finished: EventLoopPromise<(Int, [UInt: Int])>) {
        self.head = head
        self.deadline = deadline
        self.finished = finished
    }

    func channelActive(context: ChannelHandlerContext) { send(context) }

    func send(_ context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response): statuses[response.status.code, default: 0] += 1
        case .body: break
        case .end:
            count += 1
            if NIODeadline.now() < deadline {
                send(context)
            } else {
                finished.succeed((count, statuses))
                context.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finished.succeed((count, statuses))
        context.close(promise: nil)
    }
}

func runList(_ arguments: [String]) async throws {
    guard arguments.count == 6, let port = Int(arguments[1]), let connections = Int(arguments[4]),
        let seconds = Double(arguments[5])
    else {
        FileHandle.standardError.write(Data("usage: list HOST PORT PATH COOKIE CONNECTIONS SECONDS\n".utf8))
        exit(2)
    }
    let (host, path, cookie) = (arguments[0], arguments[2], arguments[3])
    var headers = HTTPHeaders()
    headers.add(name: "Host", value: "\(host):\(port)")
    headers.add(name: "Cookie", value: cookie)
    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
    let group = MultiThreadedEventLoopGroup.singleton
    let start = Date()
    let deadline = NIODeadline.now() + .nanoseconds(Int64(seconds * 1e9))
    var futures: [EventLoopFuture<(Int, [UInt: Int])>] = []
    for _ in 0..<connections {
        let loop = group.next()
        let finished = loop.makePromise(of: (Int, [UInt: Int]).self)
        let bootstrap = ClientBootstrap(group: loop).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                try channel.pipeline.syncOperations.addHandler(ListClient(head: head, deadline: deadline, finished: finished))
            }
        }
        _ = try await bootstrap.connect(host: host, port: port).get()
        futures.append(finished.futureResult)
    }
    var total = 0
    var statuses: [UInt: Int] = [:]
    for future in futures {
        let (count, codes) = try await future.get()
        total += count
        for (code, n) in codes { statuses[code, default: 0] += n }
    }
    let elapsed = Date().timeIntervalSince(start)
    print("requests \(total) seconds \(String(format: "%.2f", elapsed)) statuses \(statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","))")
}

@main
struct SpiderPigBenchViewers {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "watch": try await runWatch(Array(arguments.dropFirst()))
        case "list": try await runList(Array(arguments.dropFirst()))
        default:
            FileHandle.standardError.write(Data("usage: SpiderPigBenchViewers watch|list ...\n".utf8))
            exit(2)
        }
    }
}
