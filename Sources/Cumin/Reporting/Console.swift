import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where reports go: the process's standard output and error, or memory (for tests).
///
/// Writes are serialised, so live output from a transport and report lines never interleave mid-line, and a
/// progress display is cleared before other text and redrawn after it.
public final class Console: Sendable {
    private enum Target {
        case standardStreams
        case memory
    }

    private struct State {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var overlay: String?
    }

    private let target: Target
    private let state = Mutex(State())
    /// Whether standard error is a terminal (progress bars are drawn only then).
    public let stderrIsTerminal: Bool
    /// Whether standard output is a terminal.
    public let stdoutIsTerminal: Bool

    private init(target: Target, stdoutIsTerminal: Bool, stderrIsTerminal: Bool) {
        self.target = target
        self.stdoutIsTerminal = stdoutIsTerminal
        self.stderrIsTerminal = stderrIsTerminal
    }

    /// The process's standard output and standard error.
    public static func standard() -> Console {
        Console(target: .standardStreams, stdoutIsTerminal: isatty(1) == 1, stderrIsTerminal: isatty(2) == 1)
    }

    /// A console that keeps everything in memory; read it back with ``capturedStdout`` and ``capturedStderr``.
    public static func memory() -> Console {
        Console(target: .memory, stdoutIsTerminal: false, stderrIsTerminal: false)
    }

    /// Text written to standard output so far (memory consoles only).
    public var capturedStdout: String { state.withLock { String(decoding: $0.stdout, as: UTF8.self) } }
    /// Text written to standard error so far (memory consoles only).
    public var capturedStderr: String { state.withLock { String(decoding: $0.stderr, as: UTF8.self) } }

    /// Writes bytes to standard output.
    public func writeStdout(_ bytes: [UInt8]) { write(bytes, descriptor: 1) }
    /// Writes a line to standard output.
    public func printStdout(_ line: String) { write(Array((line + "\n").utf8), descriptor: 1) }
    /// Writes a line to standard error.
    public func printStderr(_ line: String) { write(Array((line + "\n").utf8), descriptor: 2) }
    /// Writes text to standard error with no newline added.
    public func writeStderr(_ text: String) { write(Array(text.utf8), descriptor: 2) }

    /// Shows (or, with `nil`, removes) a block of status lines at the bottom of standard error.
    public func setOverlay(_ text: String?) {
        state.withLock { state in
            guard case .standardStreams = target else {
                state.overlay = text
                return
            }
            var bytes = Self.clearing(state.overlay)
            if let text { bytes += Self.drawing(text) }
            state.overlay = text
            Self.writeAll(bytes, to: 2)
        }
    }

    private func write(_ bytes: [UInt8], descriptor: Int32) {
        state.withLock { state in
            switch target {
            case .memory:
                if descriptor == 1 { state.stdout += bytes } else { state.stderr += bytes }
            case .standardStreams:
                if let overlay = state.overlay {
                    Self.writeAll(Self.clearing(overlay), to: 2)
                    Self.writeAll(bytes, to: descriptor)
                    Self.writeAll(Self.drawing(overlay), to: 2)
                } else {
                    Self.writeAll(bytes, to: descriptor)
                }
            }
        }
    }

    /// Draws `text` and leaves the cursor at the start of its first line.
    private static func drawing(_ text: String) -> [UInt8] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var out = "\r"
        for (index, line) in lines.enumerated() {
            out += "\u{1B}[2K" + line
            if index < lines.count - 1 { out += "\n" }
        }
        if lines.count > 1 { out += "\u{1B}[\(lines.count - 1)A" }
        out += "\r"
        return Array(out.utf8)
    }

    private static func clearing(_ text: String?) -> [UInt8] {
        guard let text else { return [] }
        let count = text.split(separator: "\n", omittingEmptySubsequences: false).count
        var out = "\r"
        for index in 0..<count {
            out += "\u{1B}[2K"
            if index < count - 1 { out += "\n" }
        }
        if count > 1 { out += "\u{1B}[\(count - 1)A" }
        out += "\r"
        return Array(out.utf8)
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            guard var pointer = buffer.baseAddress else { return }
            var remaining = buffer.count
            var attempts = 0
            while remaining > 0, attempts < 1000 {
                let written = systemWrite(descriptor, pointer, remaining)
                if written < 0 {
                    if errno == EINTR || errno == EAGAIN {
                        attempts += 1
                        continue
                    }
                    return
                }
                remaining -= written
                pointer += written
            }
        }
    }
}

/// `write(2)`, named apart from ``Console``'s own methods.
private func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, pointer, count)
    #elseif canImport(Musl)
        Musl.write(descriptor, pointer, count)
    #else
        Darwin.write(descriptor, pointer, count)
    #endif
}
