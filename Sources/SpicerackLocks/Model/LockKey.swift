/// The validated name of a lock: a prefix and a name, stored at `/spicerack/locks/<prefix>/<name>`.
///
/// ```swift
/// let key = try LockKey(prefix: .cookbooks, name: "sre.hosts.reboot")
/// key.path  // "/spicerack/locks/cookbooks/sre.hosts.reboot"
/// ```
public struct LockKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The root under which every lock lives, in etcd and in the local backend alike.
    public static let root = "/spicerack/locks"
    /// The longest name accepted, in bytes (it must fit in a file name with the local backend's suffix).
    public static let maximumNameLength = 200

    /// The namespace of the lock.
    public let prefix: LockPrefix
    /// The name inside the namespace (never empty, never containing `/`).
    public let name: String

    /// Validates and creates a key.
    /// - Parameters:
    ///   - prefix: the namespace.
    ///   - name: the lock name: not empty, at most ``maximumNameLength`` bytes, without `/` or control characters;
    ///     with the ``LockPrefix/modules`` prefix it must start with `spicerack.`.
    /// - Throws: ``LockError`` of kind ``LockError/Kind/invalidName(name:reason:)`` saying what is wrong.
    public init(prefix: LockPrefix, name: String) throws(LockError) {
        let attempted = "\(Self.root)/\(prefix.rawValue)/\(name)"
        if let reason = Self.problem(with: name, prefix: prefix) {
            throw LockError(.invalidName(name: name, reason: reason), key: attempted)
        }
        self.prefix = prefix
        self.name = name
    }

    /// Parses a full path such as `/spicerack/locks/custom/my-lock`.
    /// - Throws: ``LockError`` of kind ``LockError/Kind/invalidName(name:reason:)`` when the path is not under
    ///   ``root``, has an unknown prefix, or an invalid name.
    public init(path: String) throws(LockError) {
        let start = Self.root + "/"
        guard path.hasPrefix(start) else {
            throw LockError(.invalidName(name: path, reason: "a lock path starts with \(start)"), key: path)
        }
        let rest = path.dropFirst(start.count)
        guard let slash = rest.firstIndex(of: "/"), let prefix = LockPrefix(rawValue: String(rest[..<slash])) else {
            let known = LockPrefix.allCases.map(\.rawValue).joined(separator: ", ")
            throw LockError(
                .invalidName(name: path, reason: "a lock path is \(start)<prefix>/<name> with prefix one of \(known)"),
                key: path)
        }
        try self.init(prefix: prefix, name: String(rest[rest.index(after: slash)...]))
    }

    /// The full path of the lock, e.g. `/spicerack/locks/cookbooks/sre.hosts.reboot`.
    public var path: String { "\(Self.root)/\(prefix.rawValue)/\(name)" }

    /// The full path.
    public var description: String { path }

    /// Orders keys by path.
    public static func < (lhs: LockKey, rhs: LockKey) -> Bool {
        lhs.path < rhs.path
    }

    private static func problem(with name: String, prefix: LockPrefix) -> String? {
        if name.isEmpty { return "the lock name is empty" }
        if name.contains("/") { return "a lock name may not contain '/'" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "a lock name may not contain control characters (newlines, tabs, ...)"
        }
        if name.utf8.count > maximumNameLength {
            return "a lock name is at most \(maximumNameLength) bytes long, this one has \(name.utf8.count)"
        }
        if prefix == .modules && !name.hasPrefix("spicerack.") {
            return "the names of module locks start with 'spicerack.' (the module's name)"
        }
        return nil
    }
}
