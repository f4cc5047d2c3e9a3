import Foundation

/// Reads menu selections from stdin, and wakes up when Ctrl+C is pressed (the signal handler pokes a pipe), so
/// Ctrl+C at the prompt acts like `b`/`q` as in Spicerack.
public final class MenuInput: Sendable {
    /// What the prompt got.
    public enum Event: Equatable, Sendable {
        /// A line, without its newline.
        case line(String)
        /// Ctrl+C or end of input (Ctrl+D).
        case quit
    }

    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// Creates the reader and its wake-up pipe.
    public init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        if wakeRead >= 0 { close(wakeRead) }
        if wakeWrite >= 0 { close(wakeWrite) }
    }

    /// Wakes a waiting ``readLine(prompt:)`` (safe from a signal handler's queue).
    public func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Writes the prompt and waits for a line, Ctrl+C or end of input.
    public func readLine(prompt: String) -> Event {
        FileHandle.standardOutput.write(Data(prompt.utf8))
        drainWakeups()
        var line: [UInt8] = []
        while true {
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, 1000)
            if ready < 0 {
                if errno == EINTR { continue }
                return .quit
            }
            if fds[1].revents != 0 {
                drainWakeups()
                return .quit
            }
            guard fds[0].revents != 0 else { continue }
            var byte: UInt8 = 0
            let count = read(0, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                return line.isEmpty ? .quit : .line(String(decoding: line, as: UTF8.self))
            }
            if byte == 0x0A { return .line(String(decoding: line, as: UTF8.self)) }
            line.append(byte)
        }
    }

    private func drainWakeups() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }
}
