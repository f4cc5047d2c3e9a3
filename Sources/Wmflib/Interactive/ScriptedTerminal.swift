import Foundation
import OpsSupport
import Synchronization

/// A terminal that answers prompts from a script and records everything written, for tests.
///
/// Answers are echoed to the output after their prompt, as a real terminal would show them (secrets are not), so
/// ``output`` reads like the session a user would see.
///
/// ```swift
/// let terminal = ScriptedTerminal(answers: ["maybe", "go"])
/// try Interactive(terminal: terminal).askConfirmation("Ready?")
/// print(terminal.output)
/// ```
public final class ScriptedTerminal: Terminal {
    private struct State {
        var answers: [String]
        var output = ""
        var prompts: [String] = []
    }

    /// Whether the terminal pretends to be a TTY.
    public let isTTY: Bool
    /// How long each answer takes to arrive, to exercise the awaiting-input notification.
    public let answerDelay: Duration
    private let state: Mutex<State>

    /// Creates a terminal that will give these answers in order, then report end of input.
    /// - Parameters:
    ///   - answers: the lines the "user" types.
    ///   - isTTY: whether to pretend to be a TTY.
    ///   - answerDelay: how long to block before each answer.
    public init(answers: [String], isTTY: Bool = true, answerDelay: Duration = .zero) {
        self.isTTY = isTTY
        self.answerDelay = answerDelay
        self.state = Mutex(State(answers: answers))
    }

    /// Everything written so far, including prompts and echoed answers.
    public var output: String { state.withLock { $0.output } }

    /// The prompts shown so far, in order.
    public var prompts: [String] { state.withLock { $0.prompts } }

    /// The answers not consumed yet.
    public var remainingAnswers: [String] { state.withLock { $0.answers } }

    /// Appends text to ``output``.
    public func write(_ text: String) {
        state.withLock { $0.output += text }
    }

    /// Records the prompt and returns the next answer, echoing it.
    public func readLine(prompt: String) -> String? {
        next(prompt: prompt, echo: true)
    }

    /// Records the prompt and returns the next answer without echoing it.
    public func readSecret(prompt: String) -> String? {
        next(prompt: prompt, echo: false)
    }

    private func next(prompt: String, echo: Bool) -> String? {
        if answerDelay > .zero {
            Thread.sleep(forTimeInterval: answerDelay.inSeconds)
        }
        return state.withLock { state in
            state.prompts.append(prompt)
            state.output += prompt
            guard !state.answers.isEmpty else {
                state.output += "\n"
                return nil
            }
            let answer = state.answers.removeFirst()
            state.output += (echo ? answer : "") + "\n"
            return answer
        }
    }
}
