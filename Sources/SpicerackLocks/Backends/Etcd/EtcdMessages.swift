import Foundation

// The JSON bodies of etcd v3's gRPC gateway (`/v3/...`): keys and values are base64, 64-bit integers are strings.

/// A 64-bit integer the gateway writes as a string (and accepts either way).
struct EtcdInteger: Codable, Sendable, Equatable {
    var value: Int64

    init(_ value: Int64) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self), let number = Int64(text) {
            value = number
        } else {
            value = try container.decode(Int64.self)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(value))
    }
}

/// Base64 of the UTF-8 bytes of `text`, as the gateway wants keys and values.
func etcdBase64(_ text: String) -> String {
    Data(text.utf8).base64EncodedString()
}

/// The end of the range of every key starting with `prefix` (the prefix with its last byte incremented).
func etcdPrefixEnd(_ prefix: String) -> String {
    var bytes = Array(prefix.utf8)
    // Bounded by the prefix length: strip trailing 0xff bytes, then increment the last one.
    while let last = bytes.last {
        if last < 0xff {
            bytes[bytes.count - 1] = last + 1
            return Data(bytes).base64EncodedString()
        }
        bytes.removeLast()
    }
    return Data([0]).base64EncodedString()
}

struct EtcdRangeRequest: Encodable {
    var key: String
    var rangeEnd: String?

    /// The single key `key`.
    init(key: String) { self.key = etcdBase64(key) }

    /// Every key starting with `prefix`.
    init(prefix: String) {
        key = etcdBase64(prefix)
        rangeEnd = etcdPrefixEnd(prefix)
    }

    enum CodingKeys: String, CodingKey {
        case key
        case rangeEnd = "range_end"
    }
}

struct EtcdPutRequest: Encodable {
    var key: String
    var value: String
    var lease: EtcdInteger?

    init(key: String, value: Data, lease: Int64? = nil) {
        self.key = etcdBase64(key)
        self.value = value.base64EncodedString()
        self.lease = lease.map(EtcdInteger.init)
    }
}

struct EtcdDeleteRangeRequest: Encodable {
    var key: String

    init(key: String) { self.key = etcdBase64(key) }
}

/// A condition of a transaction; with `range_end` it must hold for every key of the range (and, on an empty
/// range, for the zero values: version, create and mod revisions 0).
struct EtcdCompare: Encodable {
    enum Target: String, Encodable {
        case version = "VERSION"
        case create = "CREATE"
        case mod = "MOD"
    }

    var key: String
    var rangeEnd: String?
    var target: Target
    var result = "EQUAL"
    var version: EtcdInteger?
    var createRevision: EtcdInteger?
    var modRevision: EtcdInteger?

    /// `target` of `key` equals `value`.
    init(key: String, _ target: Target, equals value: Int64) {
        self.key = etcdBase64(key)
        self.target = target
        switch target {
        case .version: version = EtcdInteger(value)
        case .create: createRevision = EtcdInteger(value)
        case .mod: modRevision = EtcdInteger(value)
        }
    }

    /// No key starts with `prefix` (every key of the range was created at revision 0, i.e. none exists).
    static func noKey(withPrefix prefix: String) -> EtcdCompare {
        var compare = EtcdCompare(key: prefix, .create, equals: 0)
        compare.rangeEnd = etcdPrefixEnd(prefix)
        return compare
    }

    enum CodingKeys: String, CodingKey {
        case key, target, result, version
        case rangeEnd = "range_end"
        case createRevision = "create_revision"
        case modRevision = "mod_revision"
    }
}

struct EtcdRequestOperation: Encodable {
    var requestRange: EtcdRangeRequest?
    var requestPut: EtcdPutRequest?
    var requestDeleteRange: EtcdDeleteRangeRequest?

    static func range(_ request: EtcdRangeRequest) -> Self { Self(requestRange: request) }
    static func put(_ request: EtcdPutRequest) -> Self { Self(requestPut: request) }
    static func delete(_ request: EtcdDeleteRangeRequest) -> Self { Self(requestDeleteRange: request) }

    enum CodingKeys: String, CodingKey {
        case requestRange = "request_range"
        case requestPut = "request_put"
        case requestDeleteRange = "request_delete_range"
    }
}

struct EtcdTransactionRequest: Encodable {
    var compare: [EtcdCompare]
    var success: [EtcdRequestOperation]
    var failure: [EtcdRequestOperation] = []
}

struct EtcdLeaseRequest: Encodable {
    var id: EtcdInteger?
    var ttl: EtcdInteger?

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case ttl = "TTL"
    }
}

struct EtcdKeyValue: Decodable {
    var key: String
    var value: String?
    var createRevision: EtcdInteger?
    var modRevision: EtcdInteger?
    var lease: EtcdInteger?

    /// The key as text.
    var keyText: String { Data(base64Encoded: key).map { String(decoding: $0, as: UTF8.self) } ?? key }
    /// The raw value bytes.
    var valueData: Data { value.flatMap { Data(base64Encoded: $0) } ?? Data() }

    enum CodingKeys: String, CodingKey {
        case key, value, lease
        case createRevision = "create_revision"
        case modRevision = "mod_revision"
    }
}

struct EtcdRangeResponse: Decodable {
    var kvs: [EtcdKeyValue]?
}

struct EtcdResponseOperation: Decodable {
    var responseRange: EtcdRangeResponse?

    enum CodingKeys: String, CodingKey {
        case responseRange = "response_range"
    }
}

struct EtcdTransactionResponse: Decodable {
    /// Omitted by the gateway when false.
    var succeeded: Bool?
    var responses: [EtcdResponseOperation]?
}

struct EtcdLeaseGrantResponse: Decodable {
    var id: EtcdInteger?
    var ttl: EtcdInteger?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case ttl = "TTL"
        case error
    }
}

/// One message of the keepalive stream; `TTL` is absent (0) when the lease no longer exists.
struct EtcdKeepAliveResponse: Decodable {
    var result: EtcdLeaseGrantResponse?
}

struct EtcdEmptyResponse: Decodable {}

/// The body of a gateway error (`{"error": ..., "message": ..., "code": 5}`).
struct EtcdErrorResponse: Decodable {
    var message: String?
    var error: String?
    var code: Int?
}
