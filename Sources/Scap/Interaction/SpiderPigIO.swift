import Foundation
import Synchronization

/// The machine-readable mode for a supervising program such as SpiderPig's job runner.
///
/// When the supervisor starts `scap` with `SPIDERPIG_IO_KEY` set, every line scap prints is one JSON object
/// carrying that key as `iokey`, so ordinary output (a target's, a check's) can never forge a prompt:
/// ```
/// {"iokey":"<key>","type":"line","line":"Started deploy [web@abc1234]: v2","sensitive":false}
/// {"iokey":"<key>","type":"status","status":"canary: fetch"}
/// {"iokey":"<key>","type":"progress","progress":{"name":"canary: fetch","totalTasks":1,...}}
/// {"iokey":"<key>","type":"interaction","subtype":"choices","prompt":"Continue?","choices":{"Yes":"y",...},"default":"y"}
/// ```
/// The answer to an interaction is one line on standard input: a choice's code. At the end of input the default
/// applies; an answer that is not a code is refused with a `line` and the interaction is sent again.
public final class SpiderPigIO: Sendable {
    /// The environment variable holding the per-run key.
    public static let keyVariable = "SPIDERPIG_IO_KEY"
    /// The environment variable naming the user the supervisor runs the job for.
    public static let userVariable = "SPIDERPIG_REAL_USER"

    /// The per-run key every record carries.
    public let key: String
    private let write: @Sendable (String) -> Void
    private let readAnswer: @Sendable () async -> String?
    private let writeLock = Mutex(())

    /// Creates the channel for `key`, writing records with `write` (one call per line, newline included) and
    /// reading answers with `readAnswer` (`nil` at the end of input).
    public init(
        key: String, write: @escaping @Sendable (String) -> Void = SpiderPigIO.writeStandardOutput,
        readAnswer: @escaping @Sendable () async -> String? = SpiderPigIO.readStandardInput
    ) {
        self.key = key
        self.write = write
        self.readAnswer = readAnswer
    }

    /// The channel the environment asks for: `SPIDERPIG_IO_KEY` set and not empty, else `nil`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> SpiderPigIO?
    {
        guard let key = environment[keyVariable]?.trimmingCharacters(in: .whitespaces), !key.isEmpty else { return nil }
        return SpiderPigIO(key: key)
    }

    /// A line of ordinary output; `sensitive` lines are kept out of the supervisor's own log.
    public func line(_ text: String, sensitive: Bool = false) {
        for part in text.split(separator: "\n", omittingEmptySubsequences: false) {
            send(["type": .string("line"), "line": .string(String(part)), "sensitive": .bool(sensitive)])
        }
    }

    /// What the job is doing now (`nil` clears it).
    public func status(_ text: String?) {
        send(["type": .string("status"), "status": text.map(JSONValue.string) ?? .null])
    }

    /// Where the running stage stands.
    public func progress(_ progress: StageProgress) {
        let fields: [String: JSONValue] = [
            "name": .string(progress.name), "totalTasks": .int(progress.totalTasks),
            "tasksInFlight": .int(progress.tasksInFlight), "tasksFinishedOk": .int(progress.tasksFinishedOk),
            "tasksFinishedFailed": .int(progress.tasksFinishedFailed),
            "tasksFinishedTotal": .int(progress.tasksFinishedTotal),
            "tasksPercentComplete": .int(progress.tasksPercentComplete),
            "tasksRemaining": .int(progress.tasksRemaining), "progressFinished": .bool(progress.progressFinished),
        ]
        send(["type": .string("progress"), "progress": .object(fields)])
    }

    /// The changes a backport is about to deploy, in order: `{"type":"changes","changes":[{"id","number",
    /// "patchset","subject","owner","project","branch","status","security"}]}`. A security change's subject and
    /// owner are left out (they are sent only as sensitive lines).
    public func changes(_ changes: [BackportChange], project: String?) {
        let items: [JSONValue] = changes.map { change in
            var fields: [String: JSONValue] = [
                "id": .string(change.id), "branch": .string(change.branch), "status": .string(change.status.rawValue),
                "security": .bool(change.security), "project": project.map(JSONValue.string) ?? .null,
                "number": change.number.map(JSONValue.int) ?? .null,
                "patchset": change.patchset.map(JSONValue.int) ?? .null,
            ]
            if !change.security {
                fields["subject"] = .string(change.subject)
                fields["owner"] = .string(change.owner)
            }
            return .object(fields)
        }
        send(["type": .string("changes"), "changes": .array(items)])
    }

    /// Asks `prompt` with `choices` (label and code, in display order) and returns the chosen code; the default
    /// at the end of input or after five refused answers.
    public func choose(_ prompt: String, choices: [(label: String, code: String)], default defaultCode: String) async
        -> String
    {
        let codes = choices.map(\.code)
        for _ in 0..<5 {
            send([
                "type": .string("interaction"), "subtype": .string("choices"), "prompt": .string(prompt),
                "choices": .object(Dictionary(choices.map { ($0.label, JSONValue.string($0.code)) }) { first, _ in first }),
                "choiceOrder": .array(choices.map { .string($0.code) }), "default": .string(defaultCode),
            ])
            guard let answer = await readAnswer()?.trimmingCharacters(in: .whitespacesAndNewlines) else {
                return defaultCode
            }
            if codes.contains(answer) { return answer }
            line("Invalid answer '\(answer)': expected one of \(codes.joined(separator: ", "))")
        }
        return defaultCode
    }

    /// Asks `prompt` for a line of free text (an `input_line` interaction) and returns it trimmed; `nil` at the
    /// end of input.
    public func inputLine(_ prompt: String) async -> String? {
        send(["type": .string("interaction"), "subtype": .string("input_line"), "prompt": .string(prompt)])
        return await readAnswer()?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func send(_ fields: [String: JSONValue]) {
        var record = fields
        record["iokey"] = .string(key)
        let text = JSONValue.object(record).jsonText + "\n"
        writeLock.withLock { _ in write(text) }
    }

    /// Writes `text` to standard output at once.
    public static let writeStandardOutput: @Sendable (String) -> Void = { text in
        try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
    }

    /// Reads one line of standard input off the cooperative pool.
    public static let readStandardInput: @Sendable () async -> String? = {
        await Task.detached { readLine(strippingNewline: true) }.value
    }
}
