/// Where `scap backport` finds changes and how it merges them: the deploy repository's upstream git remote
/// (``GitChangeSource``, the default) or Gerrit's REST API (``GerritChangeSource``); `change_source` in scap.cfg.
public protocol ChangeSource: Sendable {
    /// The branch changes are merged into.
    var deployBranch: String { get }

    /// Describes `ids` (numbers, branches or commits), in order.
    /// - Throws: ``BackportError`` (`.changes`) naming every id that is not a change.
    func resolve(_ ids: [String]) async throws(BackportError) -> [BackportChange]

    /// Merges `changes` (in dependency order) into the deploy branch upstream and brings the deploy repository's
    /// working tree to the result; `notify` reports what happens.
    /// - Returns: the commit the deploy branch is on afterwards.
    /// - Throws: ``BackportError`` for a conflict (naming the change and files; nothing is pushed), a refused
    ///   vote, failed build tests or a timeout.
    func merge(_ changes: [BackportChange], context: ChangeMergeContext) async throws(BackportError) -> String

    /// The open changes for the deploy branch (`--list`).
    func pending() async throws(BackportError) -> [BackportChange]

    /// Creates a change reverting each of `changes` (which must be merged) with `reason` in its message.
    /// - Returns: the revert changes, ready to be backported.
    func revert(_ changes: [BackportChange], reason: String, user: String) async throws(BackportError)
        -> [BackportChange]
}

/// What a merge may report or ask while it runs.
public struct ChangeMergeContext: Sendable {
    /// Who backports (the merge commit's author, the vote's message).
    public var user: String
    /// The host the backport runs on (the vote's message).
    public var host: String
    /// Prints a line of progress; `sensitive` for lines about security changes.
    public var notify: @Sendable (_ line: String, _ sensitive: Bool) -> Void
    /// Sets the current status (machine mode `status`).
    public var status: @Sendable (String) -> Void
    /// Asks a question with choices and returns the chosen code.
    public var ask:
        @Sendable (_ prompt: String, _ choices: [(label: String, code: String)], _ defaultCode: String) async
            -> String
    /// Whether Ctrl-C was pressed: a long wait (Gerrit's merges) stops.
    public var isInterrupted: @Sendable () -> Bool = { false }

    /// Creates a context.
    public init(
        user: String, host: String, notify: @escaping @Sendable (String, Bool) -> Void,
        status: @escaping @Sendable (String) -> Void = { _ in },
        ask: @escaping @Sendable (String, [(label: String, code: String)], String) async -> String = { _, _, code in
            code
        }
    ) {
        self.user = user
        self.host = host
        self.notify = notify
        self.status = status
        self.ask = ask
    }
}
