import CYaml
import Yams

/// Limits on what a YAML text may expand to, checked on libyaml's event stream before Yams composes it.
///
/// Anchors and aliases let a few hundred bytes describe billions of nodes ("billion laughs"): Yams shares the
/// aliased node, but everything that walks, hashes or converts the tree pays for every copy. Every YAML file the
/// project reads goes through ``composeYAML(_:path:limits:)`` (Wmflib's config loader, cumin's configuration,
/// scap's `checks.yaml`, `config-files.yaml` and `vars.yaml`, Spicerack's configuration and `_group.yaml`).
///
/// ```swift
/// let node = try composeYAML(text, path: "/etc/spicerack/config.yaml")
/// ```
public struct YAMLLimits: Sendable, Equatable {
    /// The most alias uses (`*name`) a text may hold.
    public var maximumAliases: Int
    /// The most nodes the document may have once every alias is expanded.
    public var maximumNodes: Int
    /// The most scalar bytes the document may have once every alias is expanded.
    public var maximumScalarBytes: Int
    /// The deepest nesting of sequences and mappings (composing and walking the tree recurse).
    public var maximumDepth: Int

    /// Creates limits; the defaults are far above any configuration file and far below a memory problem.
    public init(
        maximumAliases: Int = 10_000, maximumNodes: Int = 1_000_000, maximumScalarBytes: Int = 64 << 20,
        maximumDepth: Int = 256
    ) {
        self.maximumAliases = maximumAliases
        self.maximumNodes = maximumNodes
        self.maximumScalarBytes = maximumScalarBytes
        self.maximumDepth = maximumDepth
    }

    /// The limits used unless a caller gives others.
    public static let `default` = YAMLLimits()
}

/// A YAML text over one of the ``YAMLLimits``, with the file and the place of the offending event.
public struct YAMLLimitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the text came from.
    public var path: String
    /// The 1-based line of the event that went over the limit.
    public var line: Int
    /// The 1-based column of that event.
    public var column: Int
    /// Which limit, e.g. `aliases expand to more than 1000000 nodes`.
    public var message: String

    /// Creates an error.
    public init(path: String, line: Int, column: Int, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    /// `path:line:column: message (...)`.
    public var description: String {
        "\(path):\(line):\(column): \(message) (YAML anchors and aliases are limited; write the values out)"
    }
}

/// Composes `text` with Yams after checking it against `limits`.
/// - Parameters:
///   - text: the YAML text.
///   - path: the file it came from, for errors.
///   - limits: what the text may expand to.
/// - Returns: the root node, or `nil` for an empty document.
/// - Throws: ``YAMLLimitError`` when a limit is exceeded, else Yams' `YamlError` when the text is not YAML.
public func composeYAML(_ text: String, path: String, limits: YAMLLimits = .default) throws -> Node? {
    do throws(YAMLEventScanError) {
        try checkYAMLLimits(text, path: path, limits: limits)
    } catch {
        // A syntax error is left for Yams to report with its own message and place.
        if case .limit(let limitError) = error { throw limitError }
    }
    return try Yams.compose(yaml: text)
}

/// What the event scan found wrong, before it becomes a ``YAMLLimitError``.
enum YAMLEventScanError: Error {
    /// libyaml rejected the text: Yams will say why.
    case syntax
    /// A limit was exceeded.
    case limit(YAMLLimitError)
}

/// Checks `text` against `limits` without building any tree: one pass over libyaml's events, keeping for each
/// anchor the size of what it names.
/// - Throws: ``YAMLLimitError``, or ``YAMLEventScanError/syntax`` when libyaml cannot parse the text.
func checkYAMLLimits(_ text: String, path: String, limits: YAMLLimits) throws(YAMLEventScanError) {
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) == 1 else { throw .syntax }
    defer { yaml_parser_delete(&parser) }
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
    var bytes = Array(text.utf8)
    if bytes.isEmpty { return }
    try bytes.withUnsafeMutableBufferPointer { (buffer) throws(YAMLEventScanError) in
        guard let base = buffer.baseAddress else { return }
        yaml_parser_set_input_string(&parser, base, buffer.count)
        var scan = YAMLEventScan(limits: limits, path: path)
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { throw .syntax }
            defer { yaml_event_delete(&event) }
            if event.type == YAML_STREAM_END_EVENT { return }
            try scan.consume(&event)
        }
    }
}

/// The running totals of one scan.
private struct YAMLEventScan {
    /// Expanded size of a node: node count and scalar bytes.
    struct Size {
        var nodes = 0
        var bytes = 0

        mutating func add(_ other: Size, cap: Size) {
            nodes = min(nodes &+ other.nodes, cap.nodes &+ 1)
            bytes = min(bytes &+ other.bytes, cap.bytes &+ 1)
        }
    }

    struct Frame {
        var anchor: String?
        var size = Size(nodes: 1, bytes: 0)
    }

    let limits: YAMLLimits
    let path: String
    var anchors: [String: Size] = [:]
    var stack: [Frame] = []
    var document = Size()
    var aliases = 0

    init(limits: YAMLLimits, path: String) {
        self.limits = limits
        self.path = path
    }

    var cap: Size { Size(nodes: limits.maximumNodes, bytes: limits.maximumScalarBytes) }

    mutating func consume(_ event: inout yaml_event_t) throws(YAMLEventScanError) {
        let line = Int(event.start_mark.line) + 1
        let column = Int(event.start_mark.column) + 1
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            anchors = [:]
            document = Size()
        case YAML_SCALAR_EVENT:
            let size = Size(nodes: 1, bytes: Int(event.data.scalar.length))
            if let anchor = Self.string(event.data.scalar.anchor) { anchors[anchor] = size }
            try add(size, line: line, column: column)
        case YAML_ALIAS_EVENT:
            aliases += 1
            if aliases > limits.maximumAliases {
                throw limit(line, column, "more than \(limits.maximumAliases) aliases")
            }
            let size = Self.string(event.data.alias.anchor).flatMap { anchors[$0] } ?? Size(nodes: 1, bytes: 0)
            try add(size, line: line, column: column)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            if stack.count >= limits.maximumDepth {
                throw limit(line, column, "nested deeper than \(limits.maximumDepth) levels")
            }
            let anchor =
                event.type == YAML_SEQUENCE_START_EVENT
                ? Self.string(event.data.sequence_start.anchor) : Self.string(event.data.mapping_start.anchor)
            stack.append(Frame(anchor: anchor))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }
            if let anchor = frame.anchor { anchors[anchor] = frame.size }
            try add(frame.size, line: line, column: column)
        default:
            return
        }
    }

    /// Adds a finished node to its parent (or the document) and checks the totals.
    private mutating func add(_ size: Size, line: Int, column: Int) throws(YAMLEventScanError) {
        var total: Size
        if stack.isEmpty {
            document.add(size, cap: cap)
            total = document
        } else {
            stack[stack.count - 1].size.add(size, cap: cap)
            total = stack[stack.count - 1].size
        }
        // A frame's size only counts its own subtree; the document total is checked as frames close.
        total.add(document, cap: cap)
        if total.nodes > limits.maximumNodes {
            throw limit(line, column, "aliases expand the document to more than \(limits.maximumNodes) nodes")
        }
        if total.bytes > limits.maximumScalarBytes {
            throw limit(line, column, "aliases expand the document to more than \(limits.maximumScalarBytes) bytes")
        }
    }

    private func limit(_ line: Int, _ column: Int, _ message: String) -> YAMLEventScanError {
        .limit(YAMLLimitError(path: path, line: line, column: column, message: message))
    }

    private static func string(_ pointer: UnsafeMutablePointer<UInt8>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
