import Foundation
import OpsSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where one `scap` subcommand runs and what it talks to: the working directory, the environment, the three
/// standard streams and whether they are terminals.
///
/// The executable passes ``current()``; SpiderPig, `scap backport` and tests build one with their own writers:
/// ```swift
/// let output = Mutex("")
/// var invocation = ScapInvocation.current()
/// invocation.directory = repositoryRoot
/// invocation.writeOutput = { text in output.withLock { $0 += text } }
/// let code = await DeployApplication(invocation: invocation).run(options)
/// ```
public struct ScapInvocation: Sendable {
    /// The working directory: the top of the deploy repository for `deploy` and `lock`.
    public var directory: String
    /// The process environment (`SPIDERPIG_IO_KEY`, `SPIDERPIG_REAL_USER`, `SUDO_USER`, `FORCE_COLOR`, ...).
    public var environment: [String: String]
    /// Writes text to standard output as given (newlines included), at once.
    public var writeOutput: @Sendable (String) -> Void
    /// Writes text to standard error as given (newlines included), at once.
    public var writeError: @Sendable (String) -> Void
    /// Reads one line of standard input without its newline; `nil` at the end of input.
    public var readLine: @Sendable () async -> String?
    /// Whether standard input is a terminal (scap asks questions only then).
    public var inputIsTerminal: Bool
    /// Whether standard output is a terminal (`scap deploy-log` colours only then).
    public var outputIsTerminal: Bool
    /// Whether standard error is a terminal (the progress line is drawn only then).
    public var errorIsTerminal: Bool
    /// The user id the process runs as (root reached through sudo is refused).
    public var userID: UInt32

    /// Creates an invocation from its parts.
    public init(
        directory: String, environment: [String: String], writeOutput: @escaping @Sendable (String) -> Void,
        writeError: @escaping @Sendable (String) -> Void, readLine: @escaping @Sendable () async -> String?,
        inputIsTerminal: Bool = false, outputIsTerminal: Bool = false, errorIsTerminal: Bool = false,
        userID: UInt32 = getuid()
    ) {
        self.directory = directory
        self.environment = environment
        self.writeOutput = writeOutput
        self.writeError = writeError
        self.readLine = readLine
        self.inputIsTerminal = inputIsTerminal
        self.outputIsTerminal = outputIsTerminal
        self.errorIsTerminal = errorIsTerminal
        self.userID = userID
    }

    /// The invocation of this process: its working directory, environment and standard streams.
    public static func current() -> ScapInvocation {
        ScapInvocation(
            directory: FileManager.default.currentDirectoryPath, environment: ProcessInfo.processInfo.environment,
            writeOutput: { try? FileHandle.standardOutput.write(contentsOf: Data($0.utf8)) },
            writeError: { try? FileHandle.standardError.write(contentsOf: Data($0.utf8)) },
            // Waits without holding a thread; a cancelled task stops waiting (nil).
            readLine: { await LineReader.standardInput.nextLine() },
            inputIsTerminal: isatty(STDIN_FILENO) == 1, outputIsTerminal: isatty(STDOUT_FILENO) == 1,
            errorIsTerminal: isatty(STDERR_FILENO) == 1)
    }

    /// `path` inside ``directory`` (or `path` itself when absolute).
    func path(_ relative: String) -> String { (directory as NSString).appendingPathComponent(relative) }

    /// Writes `scap <command>: <message>` and a newline to standard error.
    func fail(_ command: String, _ message: String) { writeError("scap \(command): \(message)\n") }

    /// Why scap must not go on as this user (root reached through sudo), or `nil`.
    var rootRefusal: String? { RootRefusal.reason(uid: uid_t(userID), environment: environment) }
}

/// The exit codes of the `scap` subcommands.
public enum ScapExitCode {
    /// Deployed, held and released, printed.
    public static let success: Int32 = 0
    /// Failed or aborted: a busy lock, a bad configuration, a failed deploy.
    public static let failure: Int32 = 1
    /// A usage error (a bad option value).
    public static let usage: Int32 = 2
    /// `scap deploy-log` with a filter expression that does not parse (argument-parser's validation failure).
    public static let invalidFilter: Int32 = 64
    /// Interrupted twice: exited without waiting.
    public static let interrupted: Int32 = 130
}
