import Foundation
import Wmflib

/// A scripted terminal that holds each answer back until a condition holds (or a time limit passes).
final class AnswerWhenTerminal: Terminal {
    private let script: ScriptedTerminal
    private let limit: Duration
    private let condition: @Sendable () -> Bool

    init(answers: [String], limit: Duration, until condition: @escaping @Sendable () -> Bool) {
        self.script = ScriptedTerminal(answers: answers)
        self.limit = limit
        self.condition = condition
    }

    var isTTY: Bool { true }

    func write(_ text: String) { script.write(text) }

    func readLine(prompt: String) -> String? {
        waitForCondition()
        return script.readLine(prompt: prompt)
    }

    func readSecret(prompt: String) -> String? {
        waitForCondition()
        return script.readSecret(prompt: prompt)
    }

    private func waitForCondition() {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while !condition() && clock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
    }
}
