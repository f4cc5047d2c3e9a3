import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One choice of a question: what is shown, and the code answered.
public typealias BackportChoice = (label: String, code: String)

/// Asks the questions of `scap backport`: on a terminal, to a supervisor (SpiderPig), or from a script in tests.
public protocol BackportPrompter: Sendable {
    /// Asks `prompt` with `choices` and returns the chosen code (`defaultCode` without an answer).
    func choose(_ prompt: String, choices: [BackportChoice], default defaultCode: String) async -> String
    /// Asks `prompt` for a line of text; `nil` without an answer.
    func inputLine(_ prompt: String) async -> String?
}

/// Takes every default and gives no text: what happens with no user.
public struct DefaultAnswersBackportPrompter: BackportPrompter {
    /// Creates the prompter.
    public init() {}
    /// The default.
    public func choose(_ prompt: String, choices: [BackportChoice], default defaultCode: String) async -> String {
        defaultCode
    }
    /// `nil`.
    public func inputLine(_ prompt: String) async -> String? { nil }
}

/// Asks on the terminal (`[y] Yes, continue` lines, then the question). Without a terminal the question is still
/// printed and one line of standard input is read, so a script can pipe answers; the end of input (or
/// `/dev/null`) takes the default.
public struct TerminalBackportPrompter: BackportPrompter {
    /// Writes the questions.
    public var write: @Sendable (String) -> Void
    /// Reads one answer line (`nil` at the end of input).
    public var read: @Sendable () async -> String?
    /// Whether the answers come from a terminal (which echoes them).
    public var inputIsTerminal: Bool

    /// Creates the prompter over the invocation's streams.
    public init(invocation: ScapInvocation = .current()) {
        write = invocation.writeOutput
        read = invocation.readLine
        inputIsTerminal = invocation.inputIsTerminal
    }

    /// Lists the choices and asks until the answer is one of the codes; empty means the default.
    public func choose(_ prompt: String, choices: [BackportChoice], default defaultCode: String) async -> String {
        let menu = choices.map { "[\($0.code)] \($0.label)" }.joined(separator: "\n")
        for _ in 0..<20 {
            guard let line = await ask("\(menu)\n\(prompt) (default: [\(defaultCode)]) ") else {
                write("\n")
                return defaultCode
            }
            if line.isEmpty { return defaultCode }
            if let choice = choices.first(where: { $0.code.lowercased() == line.lowercased() }) { return choice.code }
        }
        return defaultCode
    }

    /// Asks for a line of text.
    public func inputLine(_ prompt: String) async -> String? {
        guard let line = await ask(prompt + " ") else {
            write("\n")
            return nil
        }
        return line
    }

    private func ask(_ question: String) async -> String? {
        if inputIsTerminal { tcflush(STDIN_FILENO, TCIFLUSH) }
        write(question)
        let answer = await read()?.trimmingCharacters(in: .whitespaces)
        // Piped answers are not echoed by a terminal: show them.
        if let answer, !inputIsTerminal { write(answer + "\n") }
        return answer
    }
}

/// Asks as ``SpiderPigIO`` interactions: `choices` records, and `input_line` for free text.
public struct SpiderPigBackportPrompter: BackportPrompter {
    /// The channel to the supervisor.
    public let io: SpiderPigIO

    /// Creates a prompter over `io`.
    public init(io: SpiderPigIO) { self.io = io }

    /// An `interaction` record with `subtype` `choices`.
    public func choose(_ prompt: String, choices: [BackportChoice], default defaultCode: String) async -> String {
        await io.choose(prompt, choices: choices, default: defaultCode)
    }

    /// An `interaction` record with `subtype` `input_line`.
    public func inputLine(_ prompt: String) async -> String? { await io.inputLine(prompt) }
}

/// The console of a backport: lines (some sensitive), and the current status.
public struct BackportConsole: Sendable {
    /// Prints a line; `sensitive` lines are about security changes (machine mode marks them).
    public var line: @Sendable (_ text: String, _ sensitive: Bool) -> Void
    /// Sets what runs now (`nil` when the backport is over).
    public var status: @Sendable (String?) -> Void
    /// The changes about to be backported, in order, with the deploy repository's project (a supervisor shows
    /// them; a terminal has the table already).
    public var changes: @Sendable (_ changes: [BackportChange], _ project: String?) -> Void

    /// Creates a console.
    public init(
        line: @escaping @Sendable (String, Bool) -> Void, status: @escaping @Sendable (String?) -> Void = { _ in },
        changes: @escaping @Sendable ([BackportChange], String?) -> Void = { _, _ in }
    ) {
        self.line = line
        self.status = status
        self.changes = changes
    }

    /// Prints a non-sensitive line.
    public func print(_ text: String) { line(text, false) }
}
