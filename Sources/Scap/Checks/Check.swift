/// One check of `checks.yaml`, run on a target before or after a deploy stage.
public struct Check: Sendable, Equatable {
    /// How the check's `command` is interpreted.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// A command line (shlex-split unless `shell: true`).
        case command
        /// The name of a `command[name]=…` definition in the target's `nrpe_dir`.
        case nrpe
        /// The basename of an executable in `scap/scripts/`.
        case script
    }

    /// The check's name (its key under `checks:`).
    public var name: String
    /// `type`: command (default), nrpe or script.
    public var kind: Kind
    /// `after` (or its deprecated alias `stage`): run after this stage, when the stage did something.
    public var after: DeployStage?
    /// `before`: run before this stage; a failure prevents the stage.
    public var before: DeployStage?
    /// `group`: only for this server group (`nil`: every group).
    public var group: String?
    /// `timeout` in seconds (default 30); on timeout the check is killed and fails.
    public var timeout: Double
    /// `command`: the command line, nrpe command name, or script basename.
    public var command: String
    /// `shell`: run `command` through a shell instead of splitting it.
    public var shell: Bool

    /// The default `timeout`, in seconds.
    public static let defaultTimeout = 30.0

    /// Creates a check.
    public init(
        name: String, kind: Kind = .command, after: DeployStage? = nil, before: DeployStage? = nil,
        group: String? = nil, timeout: Double = Check.defaultTimeout, command: String, shell: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.after = after
        self.before = before
        self.group = group
        self.timeout = timeout
        self.command = command
        self.shell = shell
    }

    /// Whether the check runs for `group` at `stage`, before (`isBefore`) or after it.
    public func applies(to stage: DeployStage, before isBefore: Bool, group: String) -> Bool {
        (isBefore ? before : after) == stage && (self.group == nil || self.group == group)
    }
}
