import OpsSupport
import Synchronization

/// PASS/FAIL progress of a command across hosts, drawn as two bars on a terminal (cumin's tqdm bars) or
/// written as plain lines when the command completes elsewhere (PASS, and FAIL only when a host failed).
public final class ProgressBars: Sendable {
    /// How progress is shown.
    public enum Style: Sendable, Hashable {
        /// Two live bars at the bottom of standard error (terminals).
        case bars
        /// One line per command on standard error when it completes (pipes, logs).
        case plain
        /// Nothing (`--no-progress`).
        case off
    }

    private struct State {
        var total = 0
        var passed = 0
        var failed = 0
        var start = ContinuousClock.now
        var lastDraw = ContinuousClock.now - .seconds(1)
        var active = false
    }

    private let console: Console
    private let colors: Colors
    private let style: Style
    private let state = Mutex(State())

    /// Creates progress bars writing to `console`.
    public init(console: Console, colors: Colors, style: Style) {
        self.console = console
        self.colors = colors
        self.style = style
    }

    /// Starts counting a new command over `total` hosts.
    public func reset(total: Int) {
        guard style != .off else { return }
        state.withLock { $0 = State(total: total, start: .now, active: true) }
        draw(force: true)
    }

    /// Counts one host as passed or failed.
    public func update(success: Bool) {
        guard style != .off else { return }
        state.withLock { state in
            if success { state.passed += 1 } else { state.failed += 1 }
        }
        draw(force: false)
    }

    /// Ends the current command: removes the bars, or writes the plain summary line.
    public func close() {
        guard style != .off else { return }
        let snapshot = state.withLock { state -> State? in
            guard state.active else { return nil }
            state.active = false
            return state
        }
        guard let snapshot else { return }
        switch style {
        case .bars:
            console.setOverlay(nil)
        case .plain:
            // One line when every host passed: a `FAIL 0% (0/N)` line would only alarm whoever reads the log.
            console.printStderr(Self.line("PASS", snapshot.passed, snapshot, width: nil, colors: colors, green: true))
            if snapshot.failed > 0 {
                console.printStderr(
                    Self.line("FAIL", snapshot.failed, snapshot, width: nil, colors: colors, green: false))
            }
        case .off:
            break
        }
    }

    private func draw(force: Bool) {
        guard style == .bars else { return }
        let snapshot = state.withLock { state -> State? in
            let now = ContinuousClock.now
            let finished = state.passed + state.failed == state.total
            guard state.active, force || finished || now - state.lastDraw >= .milliseconds(100) else { return nil }
            state.lastDraw = now
            return state
        }
        guard let snapshot else { return }
        let pass = Self.line("PASS", snapshot.passed, snapshot, width: 30, colors: colors, green: true)
        let fail = Self.line("FAIL", snapshot.failed, snapshot, width: 30, colors: colors, green: false)
        console.setOverlay(pass + "\n" + fail)
    }

    private static func line(
        _ label: String, _ count: Int, _ state: State, width: Int?, colors: Colors, green: Bool
    ) -> String {
        let total = max(state.total, 1)
        let fraction = Double(count) / Double(total)
        let elapsed = ContinuousClock.now - state.start
        let seconds = elapsed.inSeconds
        let rate = seconds > 0 ? Double(count) / seconds : 0
        let percent = String(Int((fraction * 100).rounded(.down)))
        var text = label + " "
        if let width {
            let filled = Int((fraction * Double(width)).rounded(.down))
            text += "|" + String(repeating: "█", count: filled) + String(repeating: " ", count: width - filled) + "| "
        }
        text += String(repeating: " ", count: max(0, 3 - percent.count)) + percent + "% (\(count)/\(state.total))"
        text += " [\(clock(seconds)), \(formatRate(rate))hosts/s]"
        return green ? colors.green(text) : colors.red(text)
    }

    private static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds)
        let minutes = whole / 60
        return (minutes < 10 ? "0" : "") + "\(minutes):" + (whole % 60 < 10 ? "0" : "") + "\(whole % 60)"
    }

    private static func formatRate(_ rate: Double) -> String {
        let hundredths = Int((rate * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
