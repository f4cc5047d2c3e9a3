/// Asks the deploy's questions as ``SpiderPigIO`` interactions, so a supervising program (the web UI) answers them.
public struct SpiderPigPrompter: DeployPrompter {
    /// The channel to the supervisor.
    public let io: SpiderPigIO

    /// Creates a prompter over `io`.
    public init(io: SpiderPigIO) { self.io = io }

    /// `<label> deploy successful. Continue?` with `y`, `n` and `c`; default `y`.
    public func shouldContinue(after label: String) async -> ContinueAnswer {
        let code = await io.choose(
            "\(label) deploy successful. Continue?",
            choices: [("Yes", "y"), ("No", "n"), ("Continue all groups", "c")], default: "y")
        return ContinueAnswer(rawValue: code) ?? .yes
    }

    /// `<failure>. Rollback all deployed groups?` with `y` and `n`; default `y`.
    public func shouldRollback(after failure: String) async -> Bool {
        await io.choose(
            "\(failure). Rollback all deployed groups?", choices: [("Yes", "y"), ("No", "n")], default: "y") == "y"
    }
}
