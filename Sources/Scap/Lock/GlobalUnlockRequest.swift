/// A request to the process holding the global lock (`scap lock --all`) to release it, as written in the
/// handshake files of ``GlobalUnlockHandshake``: who asks and why, and which holder is asked.
public struct GlobalUnlockRequest: Sendable, Equatable, Codable {
    /// Who asks (`scap lock --unlock-all`), and the reason given.
    public var requester: DeployLockHolder
    /// The holder asked to release, as recorded in the global lock file.
    public var holder: DeployLockHolder

    /// Creates a request.
    public init(requester: DeployLockHolder, holder: DeployLockHolder) {
        self.requester = requester
        self.holder = holder
    }

    /// The request in a handshake file's text; `nil` for other text (or a file still being written).
    public init?(json text: String) {
        guard let decoded = JSONLine.decode(GlobalUnlockRequest.self, from: text) else { return nil }
        self = decoded
    }

    /// The request as one line of JSON.
    public var json: String { JSONLine.encode(self) }

    /// Whether it asks `lockHolder` to release: same process and same acquisition time, so a request left over
    /// for an earlier holder never releases a later one.
    public func isAddressed(to lockHolder: DeployLockHolder) -> Bool {
        holder.pid == lockHolder.pid && holder.timestampUTC == lockHolder.timestampUTC
    }
}
