import Foundation

/// The JSON status line a target script prints last: which stage, what happened, on which revision.
public struct TargetStageStatus: Sendable, Hashable, Codable {
    /// What the stage did on the target.
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// It did its work.
        case ok
        /// There was nothing to do (already fetched or promoted): no after checks, no restart.
        case noop
        /// It failed; `message` says why.
        case failed
    }

    /// The stage name (`fetch`, `promote`, ...).
    public var stage: String
    /// What happened.
    public var status: Outcome
    /// The revision the stage worked on (for rollback: the `.done` revision it went back to).
    public var revision: String
    /// A human-readable summary, or the failure.
    public var message: String

    enum CodingKeys: String, CodingKey {
        case stage = "scap_stage"
        case status
        case revision = "rev"
        case message
    }

    /// Creates a status.
    public init(stage: String, status: Outcome, revision: String, message: String) {
        self.stage = stage
        self.status = status
        self.revision = revision
        self.message = message
    }

    /// The last status line in `output` (a target script's standard output), or `nil` when there is none.
    public static func parse(_ output: String) -> TargetStageStatus? {
        let lines = output.split(whereSeparator: \.isNewline).reversed()
        for line in lines where line.hasPrefix(#"{"scap_stage""#) {
            if let status = try? JSONDecoder().decode(TargetStageStatus.self, from: Data(line.utf8)) {
                return status
            }
        }
        return nil
    }
}
