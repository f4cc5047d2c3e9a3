import Foundation
import Logging

/// Interactive prompts for cookbooks, with wmflib's messages: questions, confirmations, retry-on-failure loops and
/// secrets.
///
/// Every prompt requires a TTY. While a prompt waits longer than ``notifyAfter``, ``onAwaitingInput`` is called once
/// per prompt attempt (Spicerack uses it to ping the operator on IRC: wmflib's `notify_logger`).
///
/// ```swift
/// let interactive = Interactive(logger: logger)
/// try interactive.askConfirmation("Ready to do the thing?")
/// // ==> Ready to do the thing?
/// // Type "go" to proceed or "abort" to interrupt the execution
/// // > go
/// ```
public struct Interactive: Sendable {
    /// The message wmflib logs to its notify logger when a prompt waits too long.
    public static let awaitingInputMessage = "is awaiting input"
    /// The minimum number of characters of a secret.
    public static let minimumSecretLength = 6
    /// The answers that make the user give up after this many invalid ones.
    public static let maximumAttempts = 3

    /// Where prompts are written and answers read.
    public var terminal: any Terminal
    /// Where valid answers and failures are logged.
    public var logger: Logger
    /// How long a prompt may wait before ``onAwaitingInput`` is called.
    public var notifyAfter: Duration
    /// Called (on another thread) when a prompt has waited ``notifyAfter``.
    public var onAwaitingInput: (@Sendable () -> Void)?

    /// Creates a prompter.
    /// - Parameters:
    ///   - terminal: where to prompt; the process's terminal by default.
    ///   - logger: where to log answers and failures.
    ///   - notifyAfter: how long a prompt may wait before `onAwaitingInput` is called (wmflib: 180 s).
    ///   - onAwaitingInput: the notification, e.g. an IRC message; none by default.
    public init(
        terminal: any Terminal = StandardTerminal(),
        logger: Logger = Logger(label: "wmflib.interactive"),
        notifyAfter: Duration = .seconds(180),
        onAwaitingInput: (@Sendable () -> Void)? = nil
    ) {
        self.terminal = terminal
        self.logger = logger
        self.notifyAfter = notifyAfter
        self.onAwaitingInput = onAwaitingInput
    }

    private static let prefix = "\u{1B}[36m==>\u{1B}[39m"

    /// Asks a question until the answer is one of `choices` or passes `validator`, at most three times.
    ///
    /// ```
    /// ==> Choose a door between A, B
    /// > a
    /// ==> Invalid response. Please type one of: A,B. After 3 wrong answers the task will be aborted.
    /// > A
    /// ```
    /// - Parameters:
    ///   - message: the question.
    ///   - choices: the accepted answers; must be empty when `validator` is given.
    ///   - validator: checks a free-form answer, throwing an error whose description says what is wrong.
    /// - Returns: the accepted answer (logged at info level as `User input is: "<answer>"`).
    /// - Throws: ``InputError`` when not in a TTY, on inconsistent arguments, or after three invalid answers.
    public func askInput(
        _ message: String, choices: [String], validator: ((String) throws -> Void)? = nil
    ) throws(InputError) -> String {
        if validator == nil && choices.isEmpty {
            throw InputError("The `choices` argument is empty and no custom validator was provided.")
        }
        if validator != nil && !choices.isEmpty {
            throw InputError("When the `validator` argument is set, the `choices` argument must be empty.")
        }
        guard terminal.isTTY else {
            throw InputError("Not in a TTY, unable to ask for input")
        }
        terminal.write("\(Self.prefix) \(message)\n")
        var hint = choices.isEmpty ? "Please type a valid response" : "Please type one of: \(choices.joined(separator: ","))"
        for _ in 0..<Self.maximumAttempts {
            let timer = AwaitingInputTimer(after: notifyAfter, notify: onAwaitingInput)
            let response = terminal.readLine(prompt: "> ")
            timer.cancel()
            if let response {
                if let validator {
                    do {
                        try validator(response)
                        logger.info("User input is: \"\(response)\"")
                        return response
                    } catch {
                        let reason = String(describing: error)
                        if !reason.isEmpty { hint = reason }
                    }
                } else if choices.contains(response) {
                    logger.info("User input is: \"\(response)\"")
                    return response
                }
            }
            terminal.write(
                "\(Self.prefix) Invalid response. \(hint). After \(Self.maximumAttempts) wrong answers the task will be aborted.\n"
            )
        }
        throw InputError("Too many invalid answers")
    }

    /// Asks the user to type `go` to proceed or `abort` to stop.
    /// - Parameter message: what is about to happen.
    /// - Throws: ``AbortError`` (`Confirmation manually aborted`) on `abort`; ``InputError`` when not in a TTY or
    ///   after three invalid answers.
    public func askConfirmation(_ message: String) throws {
        let response = try askInput(
            "\(message)\nType \"go\" to proceed or \"abort\" to interrupt the execution", choices: ["go", "abort"])
        if response == "abort" {
            throw AbortError("Confirmation manually aborted")
        }
    }

    /// Runs an operation; when it fails, asks whether to retry it, skip it (after a manual fix) or abort.
    ///
    /// Each failure is logged at error level as `Failed to run <name>: <error>`.
    /// - Parameters:
    ///   - name: what the operation is, for the log; by default `<Module>.<calling function>`.
    ///   - function: the calling function, for the default name.
    ///   - fileID: the calling file, for the default name.
    ///   - operation: the work to run.
    /// - Returns: the operation's result, or `nil` when the user chose to skip it.
    /// - Throws: ``AbortError`` (`Task manually aborted`, caused by the failure) on `abort`, an ``AbortError`` thrown
    ///   by the operation itself, `CancellationError`, or ``InputError`` when the question cannot be asked.
    public func confirmOnFailure<T>(
        name: String? = nil, function: String = #function, fileID: String = #fileID,
        _ operation: () async throws -> T
    ) async throws -> T? {
        let label = name ?? qualifiedName(function: function, fileID: fileID)
        let question =
            "What do you want to do? \"retry\" the last command, manually fix the issue and \"skip\" the last "
            + "command to continue the execution or completely \"abort\" the execution."
        while true {
            do {
                return try await operation()
            } catch let error as AbortError {
                throw error
            } catch let error as CancellationError {
                throw error
            } catch {
                logger.error("Failed to run \(label): \(error)")
                switch try askInput(question, choices: ["retry", "skip", "abort"]) {
                case "skip": return nil
                case "abort": throw AbortError("Task manually aborted", underlying: String(describing: error))
                default: continue
                }
            }
        }
    }

    /// Asks for a secret such as a password, without echo, insisting on at least six characters.
    ///
    /// ```
    /// Secret key:
    /// Secret must be at least 6 characters. try again:
    /// Again, just to be sure:
    /// ```
    /// - Parameters:
    ///   - title: what the secret is.
    ///   - confirm: whether to ask a second time and check both match.
    /// - Returns: the secret.
    /// - Throws: ``WmflibError`` when the confirmation does not match or input ends.
    public func getSecret(_ title: String, confirm: Bool = false) throws(WmflibError) -> String {
        let timer = AwaitingInputTimer(after: notifyAfter, notify: onAwaitingInput)
        defer { timer.cancel() }
        var secret = try readSecret(prompt: "\(title): ", title: title)
        while secret.count < Self.minimumSecretLength {
            secret = try readSecret(
                prompt: "Secret must be at least \(Self.minimumSecretLength) characters. try again: ", title: title)
        }
        if confirm, try readSecret(prompt: "Again, just to be sure: ", title: title) != secret {
            throw WmflibError("\(title): Passwords did not match")
        }
        return secret
    }

    private func readSecret(prompt: String, title: String) throws(WmflibError) -> String {
        guard let line = terminal.readSecret(prompt: prompt) else {
            throw WmflibError("\(title): no input, the input stream ended")
        }
        return line
    }

    /// Checks that a long-running task cannot be killed by a dropped connection.
    ///
    /// Passes when the terminal is not a TTY (non-interactive run) or inside screen or tmux (`STY` or `TMUX` set and
    /// not empty, or `TERM` containing `screen` or `tmux`).
    /// - Parameter environment: the environment variables to inspect; the process's by default.
    /// - Throws: ``WmflibError`` (`Must be run in non-interactive mode or inside a screen or tmux.`) otherwise.
    public func ensureShellIsDurable(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(WmflibError) {
        let term = environment["TERM"] ?? ""
        if terminal.isTTY
            && (environment["STY"] ?? "").isEmpty
            && (environment["TMUX"] ?? "").isEmpty
            && !term.contains("screen")
            && !term.contains("tmux")
        {
            throw WmflibError("Must be run in non-interactive mode or inside a screen or tmux.")
        }
    }
}

/// The name of the person running the process, even under sudo.
///
/// `SUDO_USER` when set and not `root`, else `USER`, else `-` (wmflib's `get_username`).
/// - Parameter environment: the environment variables to inspect; the process's by default.
/// - Returns: the user name, or `-` when unknown.
public func getUsername(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    if let sudoUser = environment["SUDO_USER"], sudoUser != "root" {
        return sudoUser
    }
    return environment["USER"] ?? "-"
}
