import Foundation

/// cumin's `-o txt|json` rendering of a single-command run.
enum FormattedOutput {
    /// The separator cumin prints before the formatted output.
    static let separator = "_____FORMATTED_OUTPUT_____"

    /// Renders the output of command 0 for every host that produced some.
    static func render(_ results: ExecutionResults, format: CuminInvocation.OutputFormat) -> String {
        var outputs: [String: String] = [:]
        for group in results.outputGroups(command: 0) {
            for host in group.hosts {
                switch format {
                case .txt:
                    outputs[host] = group.lines.map { "\(host): \($0)" }.joined(separator: "\n")
                case .json:
                    outputs[host] = group.text
                }
            }
        }
        switch format {
        case .txt:
            return outputs.keys.sorted().compactMap { outputs[$0] }.joined(separator: "\n")
        case .json:
            guard !outputs.isEmpty else { return "{}" }
            let body = outputs.keys.sorted().map { "    \(jsonString($0)): \(jsonString(outputs[$0] ?? ""))" }
            return "{\n" + body.joined(separator: ",\n") + "\n}"
        }
    }

    /// A JSON string literal with Python's `json.dumps` escaping (non-ASCII as `\uXXXX`).
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out += String(UnicodeScalar(UInt8(unit)))
            default: out += String(format: "\\u%04x", unit)
            }
        }
        return out + "\""
    }
}
