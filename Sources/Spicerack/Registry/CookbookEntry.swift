import ArgumentParser

/// One compiled cookbook: its name, description and how to turn arguments into a runner.
///
/// The generated `main.swift` of a tree lists one entry per cookbook type:
/// `entries.append(.simple(Hello.self, name: "demo.hello", group: "demo", source: "/srv/cookbooks/demo/hello.swift"))`.
public struct CookbookEntry: Sendable {
    /// The dotted name.
    public let name: String
    /// The title.
    public let title: String
    /// The cookbook's own owner team, if it names one.
    public let ownerTeam: String?
    /// The dotted name of the directory that holds it (empty at the root of the tree).
    public let group: String
    /// The source file.
    public let source: String
    let prepare:
        @Sendable (_ arguments: [String], _ owner: String, _ spicerack: Spicerack) async throws(PreparationOutcome) -> any
            CookbookRunner

    /// An entry for a simple cookbook.
    public init<C: SimpleCookbook>(_ type: C.Type, name: String, group: String, source: String) {
        self.name = name
        self.group = group
        self.title = C.title
        self.ownerTeam = C.ownerTeam
        self.source = source
        self.prepare = { arguments, owner, spicerack throws(PreparationOutcome) in
            let parsed: C.Arguments = try parseArguments(arguments, name: name, title: C.title, owner: owner)
            return SimpleCookbookRunner(cookbook: C(), arguments: parsed, spicerack: spicerack)
        }
    }

    /// An entry for a simple cookbook (no overload to resolve: cheap to type-check in a long registry).
    public static func simple<C: SimpleCookbook>(_ type: C.Type, name: String, group: String, source: String) -> CookbookEntry {
        CookbookEntry(type, name: name, group: group, source: source)
    }

    /// An entry for a runner cookbook (no overload to resolve).
    public static func runner<C: Cookbook>(_ type: C.Type, name: String, group: String, source: String) -> CookbookEntry {
        CookbookEntry(type, name: name, group: group, source: source)
    }

    /// An entry for a runner cookbook.
    public init<C: Cookbook>(_ type: C.Type, name: String, group: String, source: String) {
        self.name = name
        self.group = group
        self.title = C.title
        self.ownerTeam = C.ownerTeam
        self.source = source
        self.prepare = { arguments, owner, spicerack throws(PreparationOutcome) in
            let parsed: C.Arguments = try parseArguments(arguments, name: name, title: C.title, owner: owner)
            do {
                return try await C().makeRunner(parsed, spicerack)
            } catch let success as CookbookInitSuccess {
                throw .initSuccess(success.message)
            } catch {
                throw .initFailed(error)
            }
        }
    }
}

/// Why preparing a run stopped before the runner existed.
enum PreparationOutcome: Error {
    /// `-h`: the help text, exit code 0.
    case help(String)
    /// Bad arguments: the message with the usage, exit code 2.
    case usage(String)
    /// ``CookbookInitSuccess``: nothing to do, exit code 0.
    case initSuccess(String)
    /// `makeRunner` threw: exit code 94.
    case initFailed(any Error)
}

/// Parses a cookbook's arguments, rendering help and errors with `cookbook [GLOBAL_ARGS] <name>` as the command;
/// the help shows the cookbook's title under the usage, as argparse shows a description.
func parseArguments<A: ParsableArguments>(_ arguments: [String], name: String, title: String, owner: String)
    throws(PreparationOutcome) -> A
{
    do {
        return try A.parse(arguments)
    } catch {
        let command = "cookbook [GLOBAL_ARGS] \(name)"
        if A.exitCode(for: error) == .success {
            var help = A.fullMessage(for: error, columns: 100)
            help = rename(help, to: command)
            var lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var usageEnd = min(1, lines.count)
            while usageEnd < lines.count, lines[usageEnd].hasPrefix(" ") { usageEnd += 1 }
            if !title.isEmpty { lines.insert(contentsOf: ["", title], at: usageEnd) }
            throw .help(lines.joined(separator: "\n") + "\n\nCookbook owner team: \(owner)")
        }
        let usage = rename(A.usageString(), to: command)
        throw .usage("\(usage)\n\(command): error: \(A.message(for: error))")
    }
}

/// Replaces the command name argument-parser derives from the process with the cookbook's.
private func rename(_ text: String, to command: String) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    for index in lines.indices {
        for prefix in ["USAGE: ", "Usage: "] where lines[index].hasPrefix(prefix) {
            let rest = lines[index].dropFirst(prefix.count)
            let afterCommand = rest.firstIndex(of: " ").map { rest[$0...] } ?? ""
            lines[index] = "usage: \(command)\(afterCommand)"
        }
    }
    return lines.joined(separator: "\n")
}

extension ParsableArguments {
    fileprivate static func usageString() -> String {
        let help = helpMessage(columns: 100)
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        var usage: [Substring] = []
        for line in lines {
            if line.hasPrefix("USAGE: ") || (!usage.isEmpty && line.hasPrefix(" ")) {
                usage.append(line)
            } else if !usage.isEmpty {
                break
            }
        }
        return usage.joined(separator: "\n")
    }
}
