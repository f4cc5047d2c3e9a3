import Wmflib
import Yams

/// Composes the YAML text of a scap file (`checks.yaml`, `config-files.yaml`, `vars.yaml`) into a node tree,
/// turning Yams' errors into a problem with its 1-based line and column.
enum YAMLSource {
    /// Why a text is not YAML, and where.
    struct Problem: Error {
        /// The 1-based line, when Yams gives one.
        var line: Int?
        /// The 1-based column, when Yams gives one.
        var column: Int?
        /// `invalid YAML: <Yams' problem>`.
        var message: String
    }

    /// The root node of `text`, or `nil` for an empty document.
    ///
    /// Anchors and aliases are limited by Wmflib's ``YAMLLimits`` (a "billion laughs" file is refused).
    /// - Throws: ``Problem`` when `text` is not valid YAML or expands beyond the limits.
    static func compose(_ text: String) throws(Problem) -> Node? {
        do {
            return try composeYAML(text, path: "")
        } catch let error as YAMLLimitError {
            throw Problem(line: error.line, column: error.column, message: error.message)
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
                throw Problem(line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
            default:
                throw Problem(message: "invalid YAML: \(error)")
            }
        } catch {
            throw Problem(message: "invalid YAML: \(error)")
        }
    }

    /// Whether `node` is absent, an empty scalar or `null`: a file or value left blank.
    static func isBlank(_ node: Node?) -> Bool {
        guard let node else { return true }
        return node.scalar?.string.isEmpty == true || node.tag.rawValue == Tag.Name.null.rawValue
    }
}
