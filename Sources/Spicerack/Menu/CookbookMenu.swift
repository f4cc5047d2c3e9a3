import Cumin
import Foundation

/// Spicerack's interactive menu over a group of the tree, plus selection by number and statuses kept across runs.
///
/// ```
/// #--- Demo cookbooks args=[] ---#
/// 1) [NOTRUN] hello: Say hello
/// 2) [0/2] group: Nested group
/// q - Quit
/// h - Help
/// >>> hello --name Bob
/// ```
public final class CookbookMenu: @unchecked Sendable {
    private let session: CookbookSession
    private let catalog: CookbookCatalog
    private let input: MenuInput
    private let isTTY: Bool
    private let output: @Sendable (String) -> Void
    private var status: MenuStatus

    /// Creates a menu over a session's tree.
    /// - Parameters:
    ///   - statusFile: where statuses are kept across sessions (`nil`: this session only).
    public init(
        session: CookbookSession, input: MenuInput, isTTY: Bool, statusFile: String?,
        output: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }
    ) {
        self.session = session
        self.catalog = CookbookCatalog(index: session.tree.index)
        self.input = input
        self.isTTY = isTTY
        self.output = output
        self.status = MenuStatus(file: statusFile)
    }

    /// Shows the menu of `group` until the operator quits; the exit code is always 0, as Spicerack's.
    public func run(group: String, arguments: [String]) async -> Int32 {
        _ = await show(group: group, arguments: arguments, isSessionRoot: true)
        return 0
    }

    private enum Exit { case back, quitAll }

    private func show(group: String, arguments: [String], isSessionRoot: Bool) async -> Exit {
        while true {
            let items = self.items(of: group)
            output(screen(group: group, arguments: arguments, items: items, isSessionRoot: isSessionRoot))
            guard isTTY else {
                output("Not a tty, exiting.\n")
                return .quitAll
            }
            let text: String
            switch input.readLine(prompt: ">>> ") {
            case .quit:
                output("QUIT\n")
                return .back
            case .line(let line):
                text = line.trimmingCharacters(in: .whitespaces)
            }
            if text.isEmpty { continue }
            let words = (try? shellWords(text)) ?? text.split(separator: " ").map(String.init)
            guard let first = words.first else { continue }
            let selectionArguments = Array(words.dropFirst())
            if first == "q" && isSessionRoot && selectionArguments.isEmpty { return .quitAll }
            if first == "b" && !isSessionRoot && selectionArguments.isEmpty { return .back }
            if first == "h" && selectionArguments.isEmpty {
                output(Self.help)
                continue
            }
            let selected: Item?
            if let number = Int(first), (1...max(items.count, 1)).contains(number), number <= items.count {
                selected = items[number - 1]
            } else {
                selected = items.first { $0.leaf == first }
            }
            guard let selected else {
                output("==> Invalid input <==\n")
                continue
            }
            let effective = selectionArguments.isEmpty ? arguments : selectionArguments
            if selected.isGroup {
                if await show(group: selected.name, arguments: effective, isSessionRoot: false) == .quitAll {
                    return .quitAll
                }
            } else if let entry = session.tree.entries[selected.name] {
                let session = self.session
                let task = Task { await session.runReporting(entry: entry, arguments: effective) }
                session.interruption.begin(cancel: { task.cancel() })
                let outcome = await task.value
                session.interruption.end()
                status.record(entry.name, exitCode: outcome.exitCode, status: outcome.status)
            }
        }
    }

    private struct Item {
        var name: String
        var leaf: String
        var isGroup: Bool
    }

    private func items(of group: String) -> [Item] {
        guard let node = catalog.groups[group] else { return [] }
        let groups = node.subgroups.map { Item(name: $0, leaf: CookbookCatalog.leaf(of: $0, in: group), isGroup: true) }
        let cookbooks = node.cookbooks.map { Item(name: $0, leaf: CookbookCatalog.leaf(of: $0, in: group), isGroup: false) }
        return (groups + cookbooks).sorted { $0.leaf < $1.leaf }
    }

    private func screen(group: String, arguments: [String], items: [Item], isSessionRoot: Bool) -> String {
        let title = catalog.groups[group]?.title ?? (group.isEmpty ? "cookbooks" : group)
        var lines = ["#--- \(title) args=\(pythonList(arguments)) ---#"]
        for (offset, item) in items.enumerated() {
            let label: String
            let itemTitle: String
            if item.isGroup {
                let names = catalog.cookbooks(under: item.name)
                let done = names.filter { status[$0] != .notRun }.count
                label = done == names.count ? "DONE" : "\(done)/\(names.count)"
                itemTitle = catalog.groups[item.name]?.title ?? "-"
            } else {
                label = status[item.name].rawValue
                itemTitle = catalog.cookbooks[item.name]?.title ?? "-"
            }
            lines.append("\(offset + 1)) [\(label)] \(item.leaf): \(itemTitle)")
        }
        lines.append(isSessionRoot ? "q - Quit" : "b - Back to parent menu")
        lines.append("h - Help")
        return lines.joined(separator: "\n") + "\n"
    }

    static let help = """
        Cookbooks interactive menu help

        Available cookbooks and cookbook groups are shown in the menu with the format:
          N) [STATUS] NAME: DESCRIPTION
        Select one by typing its NAME or its number N.

        Single cookbooks:
          Their status has one of the following values: NOTRUN, PASS, FAIL, ERROR.
          The status of the last run is kept across sessions.

        Groups of cookbooks:
          Their status is the number of cookbooks run over the total, or DONE when all of
          them have run.

        Control commands:
          b: shown when inside a child group of cookbooks to go back one level to the
             parent menu.
          q: shown when at the top level of the current session menu to exit the
             program.
          h: always shown, print this help message.

        CLI arguments:
          It's possible to pass CLI arguments to cookbooks and group of cookbooks
          when selecting them (e.g. cookbook_name -a param value1 value2).
          Passing arguments to cookbook groups propagate them also to their cookbooks
          and child cookbook groups.

        Interrupting execution:
          Pressing Ctrl+c while executing a cookbook interrupts it and shows the
          current menu, marking the cookbook status as ERROR.
          Pressing Ctrl+c/d while in a menu is equivalent to select 'b' or 'q'.

        """
}
