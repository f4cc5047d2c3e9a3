import Foundation
import Logging
import Yams

/// Loads a YAML configuration file whose top level is a mapping (wmflib's `load_yaml_config`).
///
/// An empty file (or one holding only `null`) gives an empty dictionary.
/// ```swift
/// let config = try loadYAMLConfig("/etc/spicerack/config.yaml")
/// let base = config["cookbooks_base_dirs"]?.arrayValue
/// ```
/// - Parameters:
///   - path: the file to read.
///   - raises: when `false`, any problem is logged at debug level and an empty dictionary returned instead.
///   - logger: where to log problems when `raises` is `false`.
/// - Returns: the top-level mapping.
/// - Throws: ``WmflibError`` naming the file (and the line and column of a syntax error) when the file cannot be
///   read or parsed, or its top level is not a mapping.
public func loadYAMLConfig(
    _ path: String, raises: Bool = true, logger: Logger = Logger(label: "wmflib.config")
) throws(WmflibError) -> [String: YAMLValue] {
    do {
        return try parseYAMLConfig(path)
    } catch {
        if raises { throw error }
        logger.debug("Could not load config file \(path): \(error.message)")
        return [:]
    }
}

private func parseYAMLConfig(_ path: String) throws(WmflibError) -> [String: YAMLValue] {
    let text = try readConfigText(path)
    let node: Node?
    do {
        node = try composeYAML(text, path: path)
    } catch let error as YAMLLimitError {
        throw WmflibError("Could not load config file \(error.description)")
    } catch let error as YamlError {
        throw yamlError(error, path: path)
    } catch {
        throw WmflibError("Could not load config file \(path): \(error)", underlying: String(describing: error))
    }
    guard let node else { return [:] }
    switch YAMLValue(node) {
    case .null: return [:]
    case .dictionary(let dictionary): return dictionary
    default:
        let mark = node.mark.map { ":\($0.line):\($0.column)" } ?? ""
        throw WmflibError("Could not load config file \(path)\(mark): the top level must be a mapping")
    }
}

/// Reads a configuration file as UTF-8.
func readConfigText(_ path: String) throws(WmflibError) -> String {
    let data: Data
    do {
        data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
        throw WmflibError(
            "Could not load config file \(path): file not found or not readable", underlying: reason)
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw WmflibError("Could not load config file \(path): not valid UTF-8")
    }
    return text
}

private func yamlError(_ error: YamlError, path: String) -> WmflibError {
    let location: String
    let problem: String
    switch error {
    case .scanner(let context, let text, let mark, _), .parser(let context, let text, let mark, _),
        .composer(let context, let text, let mark, _):
        location = "\(path):\(mark.line):\(mark.column)"
        problem = context.map { "\(text) (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? text
    case .duplicatedKeysInMapping(let duplicates, let context):
        location = "\(path):\(context.mark.line):\(context.mark.column)"
        problem = "duplicated keys \(duplicates.joined(separator: ", ")) \(context.text)"
    default:
        location = path
        problem = String(describing: error)
    }
    return WmflibError("Could not load config file \(location): \(problem)", underlying: String(describing: error))
}

extension YAMLValue {
    /// Converts a composed Yams node, resolving scalars by their tag.
    init(_ node: Node) {
        switch node {
        case .scalar(let scalar):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: self = .null
            case Tag.Name.bool.rawValue: self = node.bool.map(YAMLValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: self = node.int.map(YAMLValue.int) ?? .string(scalar.string)
            case Tag.Name.float.rawValue: self = node.float.map(YAMLValue.double) ?? .string(scalar.string)
            default: self = .string(scalar.string)
            }
        case .sequence(let sequence):
            self = .array(sequence.map(YAMLValue.init))
        case .mapping(let mapping):
            var dictionary: [String: YAMLValue] = [:]
            for (key, value) in mapping {
                dictionary[key.string ?? key.scalar?.string ?? String(describing: key)] = YAMLValue(value)
            }
            self = .dictionary(dictionary)
        case .alias(let alias):
            self = .string(alias.anchor.rawValue)
        }
    }
}
