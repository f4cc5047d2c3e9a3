import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The console of `scap deploy` on a terminal: lines on standard output, and the running stage's progress as one
/// line on standard error that is rewritten in place (only when standard error is a terminal) and cleared before
/// any other line is printed.
public final class TerminalProgressLine: Sendable {
    private let showsProgress: Bool
    private let shown = Mutex(false)

    /// Creates the console; progress is shown when standard error is a terminal.
    public init(showsProgress: Bool = isatty(STDERR_FILENO) == 1) {
        self.showsProgress = showsProgress
    }

    /// Prints `text` and a newline on standard output, clearing the progress line first.
    public func print(_ text: String) {
        shown.withLock { shown in
            if shown {
                try? FileHandle.standardError.write(contentsOf: Data("\r\u{1B}[K".utf8))
                shown = false
            }
            try? FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
        }
    }

    /// Shows `progress` in place; a finished stage's line is cleared.
    public func show(_ progress: StageProgress) {
        guard showsProgress else { return }
        shown.withLock { shown in
            if progress.progressFinished {
                if shown { try? FileHandle.standardError.write(contentsOf: Data("\r\u{1B}[K".utf8)) }
                shown = false
            } else {
                try? FileHandle.standardError.write(contentsOf: Data("\r\u{1B}[K\(progress.line)".utf8))
                shown = true
            }
        }
    }
}
