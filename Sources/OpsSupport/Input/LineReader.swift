import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads lines from a file descriptor (standard input by default) without holding a thread while it waits: a
/// terminal, pipe or socket is watched with a dispatch read source; a regular file or `/dev/null` is read at once,
/// as it never blocks. A waiting ``nextLine()`` returns `nil` when its task is cancelled.
/// ```swift
/// if let answer = await LineReader.standardInput.nextLine() { ... }
/// ```
package final class LineReader: Sendable {
    /// The reader of this process's standard input (one for the whole process, so no line is read twice).
    package static let standardInput = LineReader(fileDescriptor: STDIN_FILENO)

    /// The longest line kept; a longer one is returned in pieces of this size.
    package static let maximumLineLength = 1 << 20

    private struct State {
        var buffer: [UInt8] = []
        var ended = false
        var source: (any DispatchSourceRead)?
        var sourceRunning = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let descriptor: Int32
    private let waitsForReadiness: Bool
    private let state = Mutex(State())

    /// A reader of `fileDescriptor`, which it does not close.
    package init(fileDescriptor: Int32) {
        descriptor = fileDescriptor
        var status = stat()
        if fstat(fileDescriptor, &status) == 0 {
            let kind = status.st_mode & S_IFMT
            waitsForReadiness = kind == S_IFIFO || kind == S_IFSOCK || isatty(fileDescriptor) == 1
        } else {
            waitsForReadiness = false
        }
    }

    deinit {
        state.withLock { state in
            guard let source = state.source else { return }
            // A suspended source must not be released: resume it to cancel it.
            if !state.sourceRunning { source.resume() }
            source.cancel()
        }
    }

    /// The next line without its newline (`\n` or `\r\n`); the last line even without one; `nil` at the end of
    /// input, on a read error, or when the calling task is cancelled while waiting.
    package func nextLine() async -> String? {
        while true {
            if Task.isCancelled { return nil }
            switch takeLine() {
            case .line(let line): return line
            case .ended: return nil
            case .needsMore: break
            }
            if !waitsForReadiness {
                readOnce()
                continue
            }
            let id = state.withLock { state in
                state.nextWaiter += 1
                return state.nextWaiter
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if state.ended || Self.hasLine(state.buffer) || Task.isCancelled { return true }
                        state.waiters[id] = continuation
                        startSource(&state)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.resume()
            }
        }
    }

    private enum Taken {
        case line(String)
        case ended
        case needsMore
    }

    /// A complete line from the buffer, or the rest at the end of input.
    private func takeLine() -> Taken {
        state.withLock { state -> Taken in
            if let newline = state.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let end = newline > 0 && state.buffer[newline - 1] == UInt8(ascii: "\r") ? newline - 1 : newline
                let line = String(decoding: state.buffer[..<end], as: UTF8.self)
                state.buffer.removeSubrange(...newline)
                return .line(line)
            }
            if state.buffer.count >= Self.maximumLineLength {
                let line = String(decoding: state.buffer.prefix(Self.maximumLineLength), as: UTF8.self)
                state.buffer.removeFirst(Self.maximumLineLength)
                return .line(line)
            }
            guard state.ended else { return .needsMore }
            if state.buffer.isEmpty { return .ended }
            let line = String(decoding: state.buffer, as: UTF8.self)
            state.buffer.removeAll()
            return .line(line)
        }
    }

    private static func hasLine(_ buffer: [UInt8]) -> Bool {
        buffer.contains(UInt8(ascii: "\n")) || buffer.count >= maximumLineLength
    }

    /// One `read` into the buffer (blocking only for descriptors that never block).
    private func readOnce() {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        let failed = count < 0 && errno != EINTR && errno != EAGAIN
        state.withLock { state in
            if count > 0 {
                state.buffer.append(contentsOf: chunk[..<count])
            } else if count == 0 || failed {
                state.ended = true
            }
        }
    }

    /// Resumes the read source (creating it on first use); called with the state locked.
    private func startSource(_ state: inout State) {
        guard !state.sourceRunning, !state.ended else { return }
        if state.source == nil {
            let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: .global())
            source.setEventHandler { [weak self] in self?.readable() }
            state.source = source
        }
        state.sourceRunning = true
        state.source?.resume()
    }

    /// The descriptor is readable: read once, wake the waiters, and pause the source when nobody waits.
    private func readable() {
        readOnce()
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            if state.ended {
                state.source?.cancel()
                state.source = nil
                state.sourceRunning = false
            } else if state.sourceRunning {
                state.source?.suspend()
                state.sourceRunning = false
            }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
