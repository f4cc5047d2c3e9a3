/// Groups identical outputs the way ClusterShell's `MsgTree` does, so groups print in cumin's order.
///
/// Outputs are stored as a tree of lines shared by common prefix; a walk yields every distinct output with the
/// keys (host indexes) whose output ends there, depth-first, most recently added branch first.
struct OutputTree {
    private struct Node {
        var line: String
        var parent: Int
        var children: [Int] = []
        var childByLine: [String: Int] = [:]
        var keys: [Int] = []
    }

    private var nodes: [Node] = [Node(line: "", parent: -1)]

    /// Adds the output of one host; an empty output adds nothing.
    mutating func add(output: [UInt8], for key: Int) {
        var current = 0
        var added = false
        for line in Self.lines(of: output) {
            added = true
            if let child = nodes[current].childByLine[line] {
                current = child
            } else {
                let child = nodes.count
                nodes.append(Node(line: line, parent: current))
                nodes[current].children.append(child)
                nodes[current].childByLine[line] = child
                current = child
            }
        }
        if added { nodes[current].keys.append(key) }
    }

    /// Every distinct output with its keys, in ClusterShell's walk order.
    func groups() -> [(keys: [Int], lines: [String])] {
        var result: [(keys: [Int], lines: [String])] = []
        var stack = [0]
        while let index = stack.popLast() {
            let node = nodes[index]
            stack.append(contentsOf: node.children)
            guard !node.keys.isEmpty else { continue }
            var lines: [String] = []
            var cursor = index
            while cursor > 0 {
                lines.append(nodes[cursor].line)
                cursor = nodes[cursor].parent
            }
            result.append((node.keys, lines.reversed()))
        }
        return result
    }

    /// Splits output into lines as ClusterShell does: on `\n`, with a final unterminated line kept.
    static func lines(of output: [UInt8]) -> [String] {
        guard !output.isEmpty else { return [] }
        var lines = output.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if output.last == UInt8(ascii: "\n") { lines.removeLast() }
        return lines.map { String(decoding: $0, as: UTF8.self) }
    }
}
