import NodeSet

/// A check on remote hosts that did not pass yet, e.g. a reboot that is not visible in the uptime
/// (Spicerack's `RemoteCheckError`); ``RemoteHosts/waitRebootSince(_:tries:delay:printProgressBars:)`` retries on it.
public struct RemoteCheckError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What did not pass, e.g. `Reboot for host[1-2] not found`.
    public var message: String
    /// The hosts that did not pass.
    public var hosts: NodeSet
    /// The observations behind the verdict, e.g. `uptime of host[1-2]: 1234.50s > 12.30s since 2026-11-21 ...`.
    public var details: [String]

    /// Creates an error.
    public init(_ message: String, hosts: NodeSet, details: [String] = []) {
        self.message = message
        self.hosts = hosts
        self.details = details
    }

    /// The message followed by the details, separated by `; `.
    public var description: String {
        details.isEmpty ? message : message + ": " + details.joined(separator: "; ")
    }
}
