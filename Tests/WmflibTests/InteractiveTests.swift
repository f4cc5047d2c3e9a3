import Logging
import TestSupport
import Testing

@testable import Wmflib

private let prefix = "\u{1B}[36m==>\u{1B}[39m"

struct TooShort: Error, CustomStringConvertible {
    var description: String { "The directory name must be at least 5 characters long" }
}

@Suite struct InteractiveTests {
    private func interactive(_ terminal: ScriptedTerminal, log: LogRecorder = LogRecorder()) -> Interactive {
        Interactive(terminal: terminal, logger: log.logger())
    }

    @Test func askInputAcceptsAChoice() throws {
        let terminal = ScriptedTerminal(answers: ["a", "A"])
        let log = LogRecorder()
        let answer = try interactive(terminal, log: log).askInput("Choose a door", choices: ["A", "B"])
        #expect(answer == "A")
        #expect(
            terminal.output == """
                \(prefix) Choose a door
                > a
                \(prefix) Invalid response. Please type one of: A,B. After 3 wrong answers the task will be aborted.
                > A

                """)
        #expect(log.records == [.init(level: .info, message: "User input is: \"A\"")])
    }

    @Test func askInputGivesUpAfterThreeWrongAnswers() throws {
        let terminal = ScriptedTerminal(answers: ["x", "y", "z", "A"])
        #expect(throws: InputError("Too many invalid answers")) {
            try interactive(terminal).askInput("Choose", choices: ["A", "B"])
        }
        #expect(terminal.prompts == ["> ", "> ", "> "])
        #expect(terminal.remainingAnswers == ["A"])
        let invalid = "\(prefix) Invalid response. Please type one of: A,B. After 3 wrong answers the task will be aborted."
        #expect(terminal.output.components(separatedBy: invalid).count == 4)
    }

    @Test func endOfInputCountsAsAWrongAnswer() throws {
        let terminal = ScriptedTerminal(answers: ["B"])
        #expect(throws: InputError("Too many invalid answers")) {
            try interactive(terminal).askInput("Choose", choices: ["A"])
        }
        #expect(terminal.prompts.count == 3)
    }

    @Test func askInputWithAValidator() throws {
        let terminal = ScriptedTerminal(answers: ["tmp", "tmpdir"])
        let answer = try interactive(terminal).askInput("Provide a directory name", choices: []) { answer in
            if answer.count < 5 { throw TooShort() }
        }
        #expect(answer == "tmpdir")
        #expect(
            terminal.output.contains(
                "\(prefix) Invalid response. The directory name must be at least 5 characters long. After 3 wrong answers the task will be aborted.\n"
            ))
    }

    @Test func askInputRejectsInconsistentArguments() throws {
        let terminal = ScriptedTerminal(answers: [])
        #expect(throws: InputError("The `choices` argument is empty and no custom validator was provided.")) {
            try interactive(terminal).askInput("Q", choices: [])
        }
        #expect(throws: InputError("When the `validator` argument is set, the `choices` argument must be empty.")) {
            try interactive(terminal).askInput("Q", choices: ["a"]) { _ in }
        }
    }

    @Test func askInputRequiresATTY() throws {
        let terminal = ScriptedTerminal(answers: ["go"], isTTY: false)
        #expect(throws: InputError("Not in a TTY, unable to ask for input")) {
            try interactive(terminal).askConfirmation("Ready?")
        }
        #expect(terminal.output.isEmpty)
    }

    @Test func askConfirmationGo() throws {
        let terminal = ScriptedTerminal(answers: ["maybe", "go"])
        let log = LogRecorder()
        try interactive(terminal, log: log).askConfirmation("Ready to do the thing?")
        #expect(
            terminal.output == """
                \(prefix) Ready to do the thing?
                Type "go" to proceed or "abort" to interrupt the execution
                > maybe
                \(prefix) Invalid response. Please type one of: go,abort. After 3 wrong answers the task will be aborted.
                > go

                """)
        #expect(log.messages == ["User input is: \"go\""])
    }

    @Test func askConfirmationAbort() throws {
        #expect(throws: AbortError("Confirmation manually aborted")) {
            try interactive(ScriptedTerminal(answers: ["abort"])).askConfirmation("Ready?")
        }
    }

    @Test func confirmOnFailureRetriesThenSucceeds() async throws {
        let terminal = ScriptedTerminal(answers: ["retry"])
        let log = LogRecorder()
        let counter = Counter()
        let value = try await interactive(terminal, log: log).confirmOnFailure(name: "restart") { () throws -> Int in
            if counter.increment() == 1 { throw WmflibError("Failed") }
            return 7
        }
        #expect(value == 7)
        #expect(counter.value == 2)
        #expect(log.records.first == .init(level: .error, message: "Failed to run restart: Failed"))
        #expect(
            terminal.output.hasPrefix(
                "\(prefix) What do you want to do? \"retry\" the last command, manually fix the issue and \"skip\" the last command to continue the execution or completely \"abort\" the execution.\n> retry\n"
            ))
    }

    @Test func confirmOnFailureSkipReturnsNil() async throws {
        let value = try await interactive(ScriptedTerminal(answers: ["skip"])).confirmOnFailure {
            () throws -> Int in throw WmflibError("Failed")
        }
        #expect(value == nil)
    }

    @Test func confirmOnFailureAbort() async throws {
        await #expect(throws: AbortError("Task manually aborted", underlying: "Failed")) {
            try await interactive(ScriptedTerminal(answers: ["abort"])).confirmOnFailure {
                () throws -> Int in throw WmflibError("Failed")
            }
        }
    }

    @Test func confirmOnFailurePassesAbortThrough() async throws {
        let terminal = ScriptedTerminal(answers: ["retry"])
        await #expect(throws: AbortError("stop")) {
            try await interactive(terminal).confirmOnFailure { () throws -> Int in throw AbortError("stop") }
        }
        #expect(terminal.output.isEmpty)
    }

    @Test func confirmOnFailureDefaultNameIsTheCaller() async throws {
        let log = LogRecorder()
        _ = try await interactive(ScriptedTerminal(answers: ["skip"]), log: log).confirmOnFailure {
            () throws -> Int in throw WmflibError("oops")
        }
        #expect(log.messages.first == "Failed to run WmflibTests.confirmOnFailureDefaultNameIsTheCaller(): oops")
    }

    @Test func notifiesWhenAPromptWaitsTooLong() throws {
        // The "user" answers only once the notification has fired (or after 20 s, which fails the test), so the
        // test does not depend on how quickly a loaded machine runs the timer.
        let counter = Counter()
        let terminal = AnswerWhenTerminal(answers: ["go"], limit: .seconds(20)) { counter.value > 0 }
        let prompter = Interactive(
            terminal: terminal, logger: LogRecorder().logger(), notifyAfter: .milliseconds(20),
            onAwaitingInput: { counter.increment() })
        try prompter.askConfirmation("Ready?")
        #expect(counter.value == 1)
    }

    @Test func doesNotNotifyWhenAnsweredInTime() throws {
        let counter = Counter()
        let prompter = Interactive(
            terminal: ScriptedTerminal(answers: ["go"]), logger: LogRecorder().logger(),
            notifyAfter: .seconds(5), onAwaitingInput: { counter.increment() })
        try prompter.askConfirmation("Ready?")
        try prompter.ensureShellIsDurable(environment: ["TMUX": "x"])
        #expect(counter.value == 0)
    }

    @Test func getSecretInsistsOnSixCharacters() throws {
        let terminal = ScriptedTerminal(answers: ["abc", "abcdef"])
        let secret = try interactive(terminal).getSecret("Secret key")
        #expect(secret == "abcdef")
        #expect(terminal.prompts == ["Secret key: ", "Secret must be at least 6 characters. try again: "])
        #expect(!terminal.output.contains("abc"))
    }

    @Test func getSecretConfirmation() throws {
        let matching = ScriptedTerminal(answers: ["secret1", "secret1"])
        #expect(try interactive(matching).getSecret("Key", confirm: true) == "secret1")
        #expect(matching.prompts == ["Key: ", "Again, just to be sure: "])
        #expect(throws: WmflibError("Key: Passwords did not match")) {
            try interactive(ScriptedTerminal(answers: ["secret1", "secret2"])).getSecret("Key", confirm: true)
        }
        #expect(throws: WmflibError.self) {
            try interactive(ScriptedTerminal(answers: [])).getSecret("Key")
        }
    }

    @Test(arguments: [
        (["TERM": "xterm"], true, false),
        ([:], true, false),
        (["TERM": "xterm"], false, true),
        (["STY": "1234.pts-0.host"], true, true),
        (["STY": ""], true, false),
        (["TMUX": "/tmp/tmux-0/default,1,0"], true, true),
        (["TERM": "screen-256color"], true, true),
        (["TERM": "tmux-256color"], true, true),
    ])
    func ensureShellIsDurable(environment: [String: String], isTTY: Bool, durable: Bool) throws {
        let prompter = interactive(ScriptedTerminal(answers: [], isTTY: isTTY))
        if durable {
            try prompter.ensureShellIsDurable(environment: environment)
        } else {
            #expect(throws: WmflibError("Must be run in non-interactive mode or inside a screen or tmux.")) {
                try prompter.ensureShellIsDurable(environment: environment)
            }
        }
    }

    @Test func username() {
        #expect(getUsername(environment: ["USER": "root", "SUDO_USER": "alice"]) == "alice")
        #expect(getUsername(environment: ["USER": "root", "SUDO_USER": "root"]) == "root")
        #expect(getUsername(environment: ["USER": "bob"]) == "bob")
        #expect(getUsername(environment: [:]) == "-")
    }
}
