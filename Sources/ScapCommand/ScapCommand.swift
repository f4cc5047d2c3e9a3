import ArgumentParser

@main
struct ScapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scap")
}
