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
    private let writeOutput: @Sendable (String) -> Void
    private let writeError: @Sendable (String) -> Void

    /// Creates the console; progress is shown when standard error is a terminal.
    /// - Parameters:
    ///   - writeOutput: writes text to standard output (the process's by default).
    ///   - writeError: writes text to standard error, where the progress line is drawn (the process's by default).
    public init(
        showsProgress: Bool = isatty(STDERR_FILENO) == 1,
        writeOutput: @escaping @Sendable (String) -> Void = {
            try? FileHandle.standardOutput.write(contentsOf: Data($0.utf8))
        },
        writeError: @escaping @Sendable (String) -> Void = {
            try? FileHandle.standardError.write(contentsOf: Data($0.utf8))
        }
    ) {
        self.showsProgress = showsProgress
        self.writeOutput = writeOutput
        self.writeError = writeError
    }

    /// Prints `text` and a newline on standard output, clearing the progress line first.
    public func print(_ text: String) {
        shown.withLock { shown in
            if shown {
                writeError("\r\u{1B}[K")
                shown = false
            }
            writeOutput(text + "\n")
        }
    }

    /// Shows `progress` in place; a finished stage's line is cleared.
    public func show(_ progress: StageProgress) {
        guard showsProgress else { return }
        shown.withLock { shown in
            if progress.progressFinished {
                if shown { writeError("\r\u{1B}[K") }
                shown = false
            } else {
                writeError("\r\u{1B}[K\(progress.line)")
                shown = true
            }
        }
    }
}
