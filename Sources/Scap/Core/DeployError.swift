/// A deploy (or a `scap lock`) that could not be prepared or run: bad arguments, configuration, checks, plans,
/// stage runs, git or lock problems, with the underlying error in ``kind``.
///
/// Host failures during the stages are not errors: they are reported in ``DeployOutcome``.
/// ```swift
/// do { outcome = try await deployment.run() } catch {
///     if case .config(let problem) = error.kind { print(problem.path, problem.line ?? 0) }
///     print(error.message)
/// }
/// ```
public struct DeployError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it is, with the error underneath when there is one; ``usage`` decides exit code 2.
    public enum Kind: Sendable, Equatable {
        /// A bad option or argument (exit 2).
        case usage
        /// The repository, git, the deploy log, the targets left after the limit, a lock handshake (exit 1).
        case setup
        /// `scap.cfg`, an environment's file, a `-D` override or a target list that cannot be used.
        case config(ScapConfigError)
        /// A `checks.yaml` that cannot be used.
        case checks(ChecksError)
        /// A `config-files.yaml`, `vars.yaml` or template that cannot be rendered.
        case configFiles(ConfigDeployError)
        /// A target plan that cannot be made (a repository path, revision or config file path refused).
        case targetPlan(TargetPlanError)
        /// A stage that could not start at all on the targets.
        case stageRunner(TargetStageRunnerError)
        /// A deploy lock that cannot be taken (busy past the timeout, unwritable).
        case lock(DeployLockError)
    }

    /// What kind of problem it is.
    public var kind: Kind
    /// What went wrong and what to do about it, as printed to the user.
    public var message: String

    /// Creates an error of `kind`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Creates a setup error.
    public init(_ message: String) { self.init(.setup, message) }

    /// Whether it is a usage error (exit code 2).
    public var isUsage: Bool { kind == .usage }

    /// The error underneath, when the deploy stopped on one from another part of scap.
    public var underlying: (any Error & Sendable)? {
        switch kind {
        case .usage, .setup: nil
        case .config(let error): error
        case .checks(let error): error
        case .configFiles(let error): error
        case .targetPlan(let error): error
        case .stageRunner(let error): error
        case .lock(let error): error
        }
    }

    /// The message.
    public var description: String { message }
}

extension DeployError {
    /// `scap lock` without a reason (or a blank one).
    static let missingReason = DeployError(
        .usage, "a reason is required: scap lock [--all | --unlock-all] REASON…, e.g. scap lock 'testing a config change'")

    /// `reason` without surrounding blanks.
    /// - Throws: ``missingReason`` when nothing is left.
    static func requireReason(_ reason: String) throws(DeployError) -> String {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw missingReason }
        return trimmed
    }
}
