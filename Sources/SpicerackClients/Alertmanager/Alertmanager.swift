import Foundation
import Logging
import NodeSet
import OpsSupport
import SpicerackRemote

/// One matcher of a silence: alerts whose label `name` equals (or, with `isRegex`, fully matches) `value`.
public struct AlertmanagerMatcher: Sendable, Hashable, Codable {
    /// The label.
    public var name: String
    /// The value or regular expression.
    public var value: String
    /// Whether `value` is a regular expression.
    public var isRegex: Bool
    /// Whether the label must match (true) or must not match (false).
    public var isEqual: Bool

    /// Creates a matcher.
    public init(name: String, value: String, isRegex: Bool = false, isEqual: Bool = true) {
        self.name = name
        self.value = value
        self.isRegex = isRegex
        self.isEqual = isEqual
    }
}

/// Silences on Alertmanager through its API v2 (Spicerack's `Alertmanager`).
///
/// ```swift
/// let alertmanager = try spicerack.alertmanager()
/// let reason = try spicerack.adminReason("Maintenance", taskID: "T12345")
/// let id = try await alertmanager.downtime(reason, matchers: [.init(name: "alertname", value: "PuppetFailure")],
///                                          duration: .seconds(3600))
/// try await alertmanager.removeDowntime(id)
/// try await spicerack.alertmanagerHosts(["mw1001"]).downtimed(reason) { try await reboot() }
/// ```
/// Each request goes to the configured URLs in turn until one succeeds. Dry-run: silences are not created or
/// removed (`Would have called POST ...` is logged) and ``downtime(_:matchers:duration:)`` returns an empty ID.
public struct Alertmanager: Sendable {
    /// Alertmanager's base URLs (all members of a cluster).
    public let urls: [String]
    /// Whether writes are only logged.
    public var dryRun: Bool { client.dryRun }
    let client: HTTPClient
    let headers: [String: String]
    let logger: Logger

    /// Creates a client.
    /// - Parameters:
    ///   - urls: base URLs, e.g. `http://alertmanager1001:9093`.
    ///   - client: the HTTP client (its dry-run flag is this client's).
    ///   - username: HTTP Basic user, with `password`.
    /// - Throws: ``AlertmanagerError`` when no URL is given.
    public init(
        urls: [String], client: HTTPClient, username: String? = nil, password: String? = nil,
        logger: Logger = Logger(label: "spicerack.alertmanager")
    ) throws(AlertmanagerError) {
        guard !urls.isEmpty else { throw AlertmanagerError("At least one alertmanager URL is required.") }
        self.urls = urls.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.client = client
        if let username, let password {
            headers = ["Authorization": "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()]
        } else {
            headers = [:]
        }
        self.logger = logger
    }

    /// Creates a silence for the alerts matching every matcher, from now for `duration`.
    /// - Returns: the silence ID (empty in dry-run).
    /// - Throws: ``AlertmanagerError`` for no matchers or when no Alertmanager accepts it.
    public func downtime(
        _ reason: Reason, matchers: [AlertmanagerMatcher], duration: Duration = .seconds(4 * 3600)
    ) async throws(AlertmanagerError) -> String {
        guard !matchers.isEmpty else { throw AlertmanagerError("No matchers provided.") }
        let start = Date()
        let seconds = duration.inSeconds
        let silence = Silence(
            matchers: matchers, startsAt: Self.timestamp(start),
            endsAt: Self.timestamp(start.addingTimeInterval(seconds)), comment: reason.description,
            createdBy: reason.owner)
        let body: Data
        do {
            body = try JSONEncoder().encode(silence)
        } catch {
            throw AlertmanagerError("Unable to encode the silence: \(error)")
        }
        let response = try await request(.post, "silences", body: body)
        if dryRun { return "" }
        guard let created = try? JSONDecoder().decode(Created.self, from: response.body) else {
            throw AlertmanagerError(
                "Alertmanager answered without a silence ID: " + HTTPError.excerpt(of: response.body),
                status: response.status)
        }
        logger.info("Created silence ID \(created.silenceID) for \(duration)")
        return created.silenceID
    }

    /// Expires a silence; one already expired only logs a warning.
    /// - Throws: ``AlertmanagerError`` when no Alertmanager accepts the request.
    public func removeDowntime(_ id: String) async throws(AlertmanagerError) {
        guard !id.isEmpty || dryRun, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw AlertmanagerError("Invalid silence ID '\(id)'")
        }
        do {
            _ = try await request(.delete, "silence/\(id)")
            logger.info("Deleted silence ID \(id)")
        } catch where error.message.contains("already expired") {
            logger.warning("Silence ID \(id) has been already deleted or is expired")
        }
    }

    /// Runs `body` with a silence in place and removes the silence on every way out (return, error,
    /// cancellation); the removal runs outside the caller's cancellation.
    public func downtimed<T: Sendable>(
        _ reason: Reason, matchers: [AlertmanagerMatcher], duration: Duration = .seconds(4 * 3600),
        _ body: () async throws -> T
    ) async throws -> T {
        let id = try await downtime(reason, matchers: matchers, duration: duration)
        let remove: @Sendable () async throws -> Void = { [self] in
            try await Task { try await self.removeDowntime(id) }.value
        }
        let result: T
        do {
            result = try await body()
        } catch {
            do { try await remove() } catch let removal { logger.error("Unable to remove silence \(id): \(removal)") }
            throw error
        }
        try await remove()
        return result
    }

    /// The silences Alertmanager holds (all states), for checks.
    public func silences() async throws(AlertmanagerError) -> [SilenceStatus] {
        let response = try await request(.get, "silences")
        do {
            return try JSONDecoder().decode([SilenceStatus].self, from: response.body)
        } catch {
            throw AlertmanagerError("Unexpected answer to GET silences: \(HTTPError.excerpt(of: response.body))")
        }
    }

    /// Silences for hosts: a matcher on `instance` is added for them.
    public func hosts(_ hosts: [String], verbatimHosts: Bool = false) throws(AlertmanagerError) -> AlertmanagerHosts {
        try AlertmanagerHosts(alertmanager: self, hosts: hosts, verbatimHosts: verbatimHosts)
    }

    // MARK: - Requests

    private func request(_ method: HTTPMethod, _ path: String, body: Data? = nil) async throws(AlertmanagerError)
        -> HTTPResponse
    {
        var failures: [String] = []
        var lastStatus: Int?
        for base in urls {
            guard let url = URL(string: "\(base)/api/v2/\(path)") else {
                failures.append("\(base): not a URL")
                continue
            }
            var headers = self.headers
            if body != nil { headers["Content-Type"] = "application/json" }
            do {
                let response = try await client.request(method: method, url: url, headers: headers, body: body)
                if response.isSuccess { return response }
                lastStatus = response.status
                failures.append("\(url.absoluteString): HTTP \(response.status) \(HTTPError.excerpt(of: response.body))")
                logger.error("Failed to \(method) to \(url.absoluteString): HTTP \(response.status)")
            } catch {
                failures.append("\(url.absoluteString): \(error.message)")
                logger.error("Failed to \(method) to \(url.absoluteString): \(error.message)")
            }
        }
        throw AlertmanagerError(
            "Unable to \(method) to any Alertmanager: " + failures.joined(separator: "; "), status: lastStatus)
    }

    /// RFC 3339 with milliseconds, in UTC.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    private struct Silence: Encodable {
        var matchers: [AlertmanagerMatcher]
        var startsAt: String
        var endsAt: String
        var comment: String
        var createdBy: String
    }

    private struct Created: Decodable {
        var silenceID: String
    }
}

/// A silence as Alertmanager lists it.
public struct SilenceStatus: Sendable, Decodable, Equatable {
    /// The silence ID.
    public var id: String
    /// The matchers.
    public var matchers: [AlertmanagerMatcher]
    /// The comment (the reason).
    public var comment: String
    /// Who created it.
    public var createdBy: String
    /// `active`, `pending` or `expired`.
    public var state: String

    private enum CodingKeys: String, CodingKey {
        case id, matchers, comment, createdBy, status
    }

    private struct Status: Decodable {
        var state: String
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        matchers = try container.decode([AlertmanagerMatcher].self, forKey: .matchers)
        comment = try container.decode(String.self, forKey: .comment)
        createdBy = try container.decode(String.self, forKey: .createdBy)
        state = try container.decode(Status.self, forKey: .status).state
    }
}

/// Silences for a set of hosts (Spicerack's `AlertmanagerHosts`): every silence also matches
/// `instance=~^(host1|host2)(\..+)?(:[0-9]+)?$`, so alerts of the hosts on any port or FQDN are silenced.
public struct AlertmanagerHosts: Sendable {
    /// The pattern after a host name: a domain and a port, both optional.
    public static let portPattern = #"(\..+)?(:[0-9]+)?"#

    /// The host names (short names unless verbatim).
    public let hosts: [String]
    let alertmanager: Alertmanager

    init(alertmanager: Alertmanager, hosts: [String], verbatimHosts: Bool) throws(AlertmanagerError) {
        let names = verbatimHosts ? hosts : hosts.map { String($0.split(separator: ".").first ?? "") }
        let unique = Array(Set(names.filter { !$0.isEmpty })).sorted()
        guard !unique.isEmpty else { throw AlertmanagerError("Got empty target hosts list.") }
        self.hosts = unique
        self.alertmanager = alertmanager
    }

    /// The matcher on `instance` for the hosts.
    public var instanceMatcher: AlertmanagerMatcher {
        let groupPort = hosts.allSatisfy { !$0.contains(":") }
        let alternatives = hosts.map { host in
            let escaped = NSRegularExpression.escapedPattern(for: host)
            return groupPort || host.contains(":") ? escaped : escaped + Self.portPattern
        }
        let value = "^(" + alternatives.joined(separator: "|") + ")" + (groupPort ? Self.portPattern : "") + "$"
        return AlertmanagerMatcher(name: "instance", value: value, isRegex: true)
    }

    /// Silences the hosts' alerts (and `matchers`, which may not be on `instance`).
    public func downtime(
        _ reason: Reason, matchers: [AlertmanagerMatcher] = [], duration: Duration = .seconds(4 * 3600)
    ) async throws(AlertmanagerError) -> String {
        guard !matchers.contains(where: { $0.name == "instance" }) else {
            throw AlertmanagerError("Matchers cannot target the instance property.")
        }
        return try await alertmanager.downtime(reason, matchers: matchers + [instanceMatcher], duration: duration)
    }

    /// Expires a silence.
    public func removeDowntime(_ id: String) async throws(AlertmanagerError) {
        try await alertmanager.removeDowntime(id)
    }

    /// Runs `body` while the hosts are silenced; the silence is removed on every way out.
    public func downtimed<T: Sendable>(
        _ reason: Reason, matchers: [AlertmanagerMatcher] = [], duration: Duration = .seconds(4 * 3600),
        _ body: () async throws -> T
    ) async throws -> T {
        guard !matchers.contains(where: { $0.name == "instance" }) else {
            throw AlertmanagerError("Matchers cannot target the instance property.")
        }
        return try await alertmanager.downtimed(
            reason, matchers: matchers + [instanceMatcher], duration: duration, body)
    }
}
