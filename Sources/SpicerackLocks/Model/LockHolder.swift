import Foundation

/// One holder of a lock: who took it, for how long, and whether its run waits for a person.
///
/// Stored as JSON (snake_case keys, ISO 8601 dates with milliseconds) by every backend, so that `etcdctl get` or
/// `cat` on the local backend's files shows something a person can read.
public struct LockHolder: Codable, Sendable, Equatable, Hashable {
    /// A unique ID (a UUID string) of this holding.
    public var id: String
    /// Spicerack's owner string, `user@host [pid]`.
    public var owner: String
    /// The user who took the lock.
    public var user: String
    /// The host the lock was taken from.
    public var host: String
    /// The process ID of the run holding the lock.
    public var pid: Int32
    /// When that process started (clock ticks after boot, `/proc/PID/stat`), when known: a holder whose PID now
    /// belongs to a process with another start time is gone.
    public var pidStartTime: UInt64?
    /// How many holders the holder accepts at the same time; 0 means unlimited (but tracked).
    public var concurrency: Int
    /// Seconds after the last refresh when the holding expires if it is not refreshed again.
    public var ttl: Int
    /// When the lock was acquired.
    public var created: Date
    /// When the holder last proved to be alive (acquired or heartbeat).
    public var refreshed: Date
    /// Whether the run holding the lock waits for an answer from its user.
    public var waitingForInput: Bool
    /// What holds the lock, e.g. the cookbook name and its arguments.
    public var label: String?

    /// Creates a holder.
    /// - Parameters:
    ///   - id: a unique ID; a fresh UUID by default.
    ///   - identity: who takes the lock.
    ///   - concurrency: the number of holders accepted at the same time, 0 for unlimited.
    ///   - ttl: seconds of validity after each refresh.
    ///   - created: the acquisition time; now by default.
    ///   - waitingForInput: whether the run waits for its user.
    ///   - label: what holds the lock.
    public init(
        id: String = UUID().uuidString.lowercased(), identity: LockIdentity, concurrency: Int, ttl: Int,
        created: Date = Date(), waitingForInput: Bool = false, label: String? = nil
    ) {
        self.id = id
        self.owner = identity.owner
        self.user = identity.user
        self.host = identity.host
        self.pid = identity.pid
        self.pidStartTime = identity.startTime
        self.concurrency = concurrency
        self.ttl = ttl
        self.created = created
        self.refreshed = created
        self.waitingForInput = waitingForInput
        self.label = label
    }

    /// When the holding expires unless refreshed: ``refreshed`` plus ``ttl`` seconds.
    public var expires: Date { refreshed.addingTimeInterval(TimeInterval(ttl)) }

    /// Whether the holding has expired at `now`.
    public func isExpired(at now: Date) -> Bool { expires <= now }

    enum CodingKeys: String, CodingKey {
        case id, owner, user, host, pid, concurrency, ttl, created, refreshed, label
        case pidStartTime = "pid_start_time"
        case waitingForInput = "waiting_for_input"
    }
}

extension LockHolder {
    /// Encodes holders as the backends store them.
    static func encode<Value: Encodable>(_ value: Value) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        // Encoding plain structs of strings, numbers and dates cannot fail.
        return (try? encoder.encode(value)) ?? Data()
    }

    /// Decodes what ``encode(_:)`` wrote.
    static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            for style in [
                Date.ISO8601FormatStyle(includingFractionalSeconds: true), Date.ISO8601FormatStyle(),
            ] {
                if let date = try? style.parse(text) { return date }
            }
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not an ISO 8601 date")
        }
        return try decoder.decode(type, from: data)
    }
}
