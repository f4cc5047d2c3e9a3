import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The answer to "Continue?" between deploy groups.
public enum ContinueAnswer: String, Sendable, Equatable {
    /// `y`: deploy the next group, then ask again.
    case yes = "y"
    /// `n`: abort the deploy (and offer a rollback).
    case no = "n"
    /// `c`: deploy every remaining group without asking.
    case all = "c"
}

/// Asks the deployer the questions of a deploy; a terminal, a web UI, or a script in tests.
public protocol DeployPrompter: Sendable {
    /// `[y] Yes / [n] No / [c] Continue all groups — Continue? (default: [y])` after `label` was deployed.
    func shouldContinue(after label: String) async -> ContinueAnswer
    /// `Rollback all deployed groups? [Y/n]` after `failure`; `true` rolls back.
    func shouldRollback(after failure: String) async -> Bool
}

/// Takes every default: continue, and roll back on failure (what scap does without a terminal).
public struct DefaultAnswersPrompter: DeployPrompter {
    /// Creates the prompter.
    public init() {}
    /// `y`.
    public func shouldContinue(after label: String) async -> ContinueAnswer { .yes }
    /// `true`.
    public func shouldRollback(after failure: String) async -> Bool { true }
}

/// Asks on the terminal; when standard input is not a terminal the defaults apply silently.
public struct TerminalPrompter: DeployPrompter {
    /// Creates the prompter.
    public init() {}

    /// Asks `Continue? [y/n/c]` until the answer is one of them; empty means `y`.
    public func shouldContinue(after label: String) async -> ContinueAnswer {
        guard isatty(STDIN_FILENO) == 1 else { return .yes }
        while true {
            guard let line = await Self.ask("[y] Yes / [n] No / [c] Continue all groups — Continue? (default: [y]) ")
            else { return .yes }
            if line.isEmpty { return .yes }
            if let answer = ContinueAnswer(rawValue: line) { return answer }
        }
    }

    /// Asks `Rollback all deployed groups? [Y/n]`; empty means yes.
    public func shouldRollback(after failure: String) async -> Bool {
        guard isatty(STDIN_FILENO) == 1 else { return true }
        while true {
            guard let line = await Self.ask("Rollback all deployed groups? [Y/n] ") else { return true }
            if line.isEmpty || line == "y" || line == "yes" { return true }
            if line == "n" || line == "no" { return false }
        }
    }

    /// Flushes typed-ahead input, prints `question` and reads one lower-cased, trimmed line (`nil` at end of input).
    private static func ask(_ question: String) async -> String? {
        tcflush(STDIN_FILENO, TCIFLUSH)
        try? FileHandle.standardOutput.write(contentsOf: Data(question.utf8))
        return await Task.detached { readLine() }.value?.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
