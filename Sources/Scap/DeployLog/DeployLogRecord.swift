import Foundation

/// One record of a deploy log: a Python `LogRecord` serialized as one JSON object per line.
///
/// The named fields are those scap writes (`name, levelno, filename, lineno, msg, args, funcName, created, msecs,
/// relativeCreated, exc_text`, and `host`); any other field is kept in ``extra``.
public struct DeployLogRecord: Sendable, Equatable {
    /// The logger name (`deploy`, `target.scb1001.deploy-local`, …).
    public var name: String
    /// The level number (10 DEBUG … 50 CRITICAL).
    public var levelno: Int
    /// The source file that logged, when known.
    public var filename: String?
    /// The source line that logged, when known.
    public var lineno: Int?
    /// The message format string (`%s` placeholders filled from ``args``).
    public var msg: String
    /// The format arguments.
    public var args: [JSONValue]
    /// The function that logged, when known.
    public var funcName: String?
    /// Seconds since 1970 when the record was created.
    public var created: Double
    /// The millisecond part of ``created``.
    public var msecs: Double
    /// Milliseconds since logging started.
    public var relativeCreated: Double
    /// A formatted exception, when one was logged.
    public var excText: String?
    /// The host the record is about: the target it came from, or the deploy host.
    public var host: String?
    /// Any other fields.
    public var extra: [String: JSONValue]

    /// The fields scap writes itself; everything else is ``extra``.
    public static let namedFields: Set<String> = [
        "name", "levelno", "filename", "lineno", "msg", "args", "funcName", "created", "msecs", "relativeCreated",
        "exc_text", "host",
    ]

    /// Creates a record logged now.
    public init(
        name: String, level: Int = LogLevel.info.rawValue, message: String, args: [JSONValue] = [], host: String,
        created: Date = Date(), extra: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.levelno = level
        self.filename = nil
        self.lineno = nil
        self.msg = message
        self.args = args
        self.funcName = nil
        self.created = created.timeIntervalSince1970
        self.msecs = (self.created - self.created.rounded(.down)) * 1000
        self.relativeCreated = 0
        self.excText = nil
        self.host = host
        self.extra = extra
    }

    /// Reads a record from its fields, with `JSONFormatter.make_record`'s defaults for missing ones.
    /// - Returns: `nil` when a named field has the wrong type.
    public init?(fields: [String: JSONValue]) {
        func string(_ key: String) -> String?? {
            switch fields[key] {
            case nil, .null?: .some(nil)
            case .string(let value)?: .some(value)
            default: nil
            }
        }
        func number(_ key: String) -> Double?? {
            switch fields[key] {
            case nil, .null?: .some(nil)
            case let value?: value.number.map { .some($0) }
            }
        }
        guard let name = string("name"), let msg = string("msg"), let filename = string("filename"),
            let funcName = string("funcName"), let excText = string("exc_text"), let host = string("host"),
            let levelno = number("levelno"), let lineno = number("lineno"), let created = number("created"),
            let msecs = number("msecs"), let relativeCreated = number("relativeCreated")
        else { return nil }
        switch fields["args"] {
        case nil, .null?: args = []
        case .array(let values)?: args = values
        case let value?: args = [value]
        }
        self.name = name ?? ""
        self.levelno = Int(levelno ?? Double(LogLevel.info.rawValue))
        self.filename = filename
        self.lineno = lineno.map { Int($0) }
        self.msg = msg ?? ""
        self.funcName = funcName
        self.created = created ?? Date().timeIntervalSince1970
        self.msecs = msecs ?? 0
        self.relativeCreated = relativeCreated ?? 0
        self.excText = excText
        self.host = host
        self.extra = fields.filter { !Self.namedFields.contains($0.key) }
    }

    /// Parses one line of a deploy log; `nil` when it is not a JSON object of a record.
    public init?(line: some StringProtocol) {
        guard let data = line.data(using: .utf8),
            case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: data)
        else { return nil }
        self.init(fields: fields)
    }

    /// Every field by name as written to the log, plus the derived `levelname` (for filters).
    public var fields: [String: JSONValue] {
        var fields = extra
        fields["name"] = .string(name)
        fields["levelno"] = .int(levelno)
        fields["filename"] = filename.map(JSONValue.string) ?? .null
        fields["lineno"] = lineno.map(JSONValue.int) ?? .null
        fields["msg"] = .string(msg)
        fields["args"] = .array(args)
        fields["funcName"] = funcName.map(JSONValue.string) ?? .null
        fields["created"] = .double(created)
        fields["msecs"] = .double(msecs)
        fields["relativeCreated"] = .double(relativeCreated)
        fields["exc_text"] = excText.map(JSONValue.string) ?? .null
        if let host { fields["host"] = .string(host) }
        return fields
    }

    /// The value of a field for filtering: a named or extra field, or `levelname`.
    public func value(ofField field: String) -> JSONValue? {
        field == "levelname" ? .string(LogLevel.name(of: levelno)) : fields[field]
    }

    /// The record as one line of JSON, keys sorted, without the trailing newline.
    public func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(fields), as: UTF8.self)
    }
}
