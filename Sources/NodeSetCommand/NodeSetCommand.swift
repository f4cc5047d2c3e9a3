import ArgumentParser
import NodeSet

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `nodeset`: fold, expand or count ClusterShell node sets, like ClusterShell's own `nodeset`/`cluset`.
@main
struct NodeSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodeset",
        abstract: "Fold, expand or count cluster node sets (ClusterShell 1.9.3 syntax).",
        discussion: """
            All node set arguments are combined by union; with no argument, whitespace separated node sets are \
            read from standard input. Expressions use ClusterShell syntax: host[1-10/2],rack[1-2]-node[01-08]!host3.

            The --exclude, --intersection and --xor operations are applied after the union, in that order.
            """,
        version: "1.9.3-swift.1"
    )

    @Flag(name: [.customShort("c"), .long], help: "Show the number of nodes.")
    var count = false

    @Flag(name: [.customShort("e"), .long], help: "Expand the node sets to separate nodes.")
    var expand = false

    @Flag(name: [.customShort("f"), .long], help: "Fold the node sets (or separate nodes) into one node set.")
    var fold = false

    @Option(name: [.customShort("S"), .long], help: "Separator used when expanding (default: a space).")
    var separator: String?

    @Option(name: [.customShort("x"), .long], help: "Exclude the given node set.")
    var exclude: [String] = []

    @Option(name: [.customShort("i"), .long], help: "Intersect with the given node set.")
    var intersection: [String] = []

    @Option(name: [.customShort("X"), .long], help: "Symmetric difference with the given node set.")
    var xor: [String] = []

    @Flag(name: .customLong("timings"), help: .hidden)
    var timings = false

    @Argument(help: "Node sets, e.g. 'host[1-4]' 'db1001'.")
    var nodesets: [String] = []

    func validate() throws {
        let commands = [count, expand, fold].filter { $0 }.count
        if commands == 0 { throw ValidationError("no command specified (use -c, -e or -f)") }
        if commands > 1 { throw ValidationError("use only one of -c, -e and -f") }
    }

    func run() throws {
        do {
            let clock = ContinuousClock()
            let inputs = nodesets.isEmpty ? Self.standardInputWords() : nodesets
            let started = clock.now
            let result = try combinedNodeSet(inputs)
            let built = clock.now
            let output: String
            if count {
                output = String(result.count)
            } else if expand {
                output = result.nodes.joined(separator: separator ?? " ")
            } else {
                output = result.description
            }
            let finished = clock.now
            if !output.isEmpty || !expand { print(output) }
            if timings {
                FileHandleOutput.standardError(
                    "nodeset: \(inputs.count) inputs, build \(built - started), output \(finished - built)\n")
            }
        } catch {
            FileHandleOutput.standardError("nodeset: Parse error: \(error.description)\n")
            throw ExitCode(1)
        }
    }

    private func combinedNodeSet(_ inputs: [String]) throws(NodeSetParseError) -> NodeSet {
        // Plain names (no brackets, no operators) parse exactly as literal names: take the bulk path for them.
        let isPlain: (String) -> Bool = { input in
            !input.utf8.contains { $0 == 0x5B || $0 == 0x5D || $0 == 0x2C || $0 == 0x21 || $0 == 0x26 || $0 == 0x5E }
        }
        var result = NodeSet(nodes: inputs.lazy.filter(isPlain))
        for input in inputs where !isPlain(input) { result.formUnion(try NodeSet(input)) }
        for expression in exclude { result.subtract(try NodeSet(expression)) }
        for expression in intersection { result.formIntersection(try NodeSet(expression)) }
        for expression in xor { result.formSymmetricDifference(try NodeSet(expression)) }
        return result
    }

    private static func standardInputWords() -> [String] {
        var words: [String] = []
        while let line = readLine(strippingNewline: true) {
            let pieces = line.utf8.split(whereSeparator: { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) })
            for piece in pieces { words.append(String(decoding: piece, as: UTF8.self)) }
        }
        return words
    }
}

/// Minimal stderr writer (no Foundation dependency).
enum FileHandleOutput {
    static func standardError(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            _ = write(2, buffer.baseAddress, buffer.count)
        }
    }
}
