import ArgumentParser

/// `scap`: Wikimedia's deployment tool.
@main
struct ScapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scap",
        abstract: "Deploy git repositories to groups of targets.",
        subcommands: [DeployLogCommand.self]
    )
}
