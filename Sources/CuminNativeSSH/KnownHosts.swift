import Crypto
import Foundation
import Synchronization

/// known_hosts files as OpenSSH reads them: plain and hashed (`|1|salt|hash`) host fields, `[host]:port`,
/// wildcards and negation, `@revoked` and `@cert-authority` markers.
public struct KnownHosts: Sendable {
    /// One usable line.
    struct Entry: Sendable {
        enum Marker: Sendable { case none, revoked, certificateAuthority }
        var marker: Marker
        /// Plain patterns (lowercased), or empty for a hashed entry.
        var patterns: [Substring]
        /// A hashed host field: salt and HMAC-SHA1 of the name.
        var hashed: (salt: [UInt8], hash: [UInt8])?
        var keyType: String
        var keyBlob: [UInt8]
        /// Where it was read, for messages.
        var file: String
        var line: Int
    }

    /// What the files say about one host's key.
    public enum Verdict: Sendable, Equatable {
        /// The key is listed for the host.
        case known
        /// The key is marked `@revoked`.
        case revoked(file: String, line: Int)
        /// The host is listed with another key of the same type.
        case changed(file: String, line: Int)
        /// The host is not listed with a key of this type.
        case unknown
        /// Only a `@cert-authority` line covers the host: a certificate would be needed.
        case certificateAuthority
    }

    private(set) var entries: [Entry] = []
    /// Plain entries without wildcards, by lowercased name.
    private var exact: [String: [Int]] = [:]
    /// Entries that need a scan: hashed, wildcards, negations, markers.
    private var scanned: [Int] = []

    /// The largest file read; bigger ones are read up to this size.
    static let maximumFileSize = 256 << 20

    /// Reads the files that exist (missing ones are skipped, as OpenSSH does).
    public init(files: [String]) {
        for file in files {
            guard let handle = FileHandle(forReadingAtPath: file) else { continue }
            let data = (try? handle.read(upToCount: Self.maximumFileSize)) ?? Data()
            try? handle.close()
            add(text: String(decoding: data, as: UTF8.self), file: file)
        }
    }

    /// Parses known_hosts text; lines that cannot be understood are skipped, as OpenSSH does.
    public init(text: String, file: String = "<known_hosts>") {
        add(text: text, file: file)
    }

    private mutating func add(text: String, file: String) {
        var number = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if let entry = Self.parse(rawLine, file: file, line: number) { insert(entry) }
        }
    }

    private mutating func insert(_ entry: Entry) {
        let index = entries.count
        entries.append(entry)
        let simple =
            entry.marker == .none && entry.hashed == nil
            && entry.patterns.allSatisfy { !$0.contains(where: { "*?!".contains($0) }) }
        if simple {
            for pattern in entry.patterns { exact[String(pattern), default: []].append(index) }
        } else {
            scanned.append(index)
        }
    }

    static func parse(_ rawLine: Substring, file: String, line: Int) -> Entry? {
        var fields = rawLine.split(whereSeparator: { $0 == " " || $0 == "\t" }).makeIterator()
        guard var first = fields.next(), !first.hasPrefix("#") else { return nil }
        var marker = Entry.Marker.none
        if first.hasPrefix("@") {
            switch first {
            case "@revoked": marker = .revoked
            case "@cert-authority": marker = .certificateAuthority
            default: return nil
            }
            guard let next = fields.next() else { return nil }
            first = next
        }
        guard let type = fields.next(), let encoded = fields.next(),
            let blob = Data(base64Encoded: String(encoded)), !blob.isEmpty
        else { return nil }
        var entry = Entry(
            marker: marker, patterns: [], hashed: nil, keyType: String(type), keyBlob: Array(blob), file: file,
            line: line)
        if first.hasPrefix("|1|") {
            let parts = first.dropFirst(3).split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 2, let salt = Data(base64Encoded: String(parts[0])),
                let hash = Data(base64Encoded: String(parts[1])), salt.count == 20, hash.count == 20
            else { return nil }
            entry.hashed = (Array(salt), Array(hash))
        } else if first.hasPrefix("|") {
            return nil
        } else {
            entry.patterns = first.lowercased().split(separator: ",")
        }
        return entry
    }

    /// The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise.
    public static func lookupName(host: String, port: Int) -> String {
        port == 22 ? host.lowercased() : "[\(host.lowercased())]:\(port)"
    }

    private func entry(_ entry: Entry, covers name: String) -> Bool {
        if let hashed = entry.hashed {
            let mac = HMAC<Insecure.SHA1>.authenticationCode(
                for: Array(name.utf8), using: SymmetricKey(data: hashed.salt))
            return Array(mac) == hashed.hash
        }
        return HostPattern.matches(name, patterns: entry.patterns)
    }

    /// Checks a host key (type and wire blob) presented by `name` (see ``lookupName(host:port:)``).
    public func verify(name original: String, keyType: String, keyBlob: [UInt8]) -> Verdict {
        let name = original.lowercased()
        var candidates = exact[name] ?? []
        for index in scanned where entry(entries[index], covers: name) { candidates.append(index) }
        var changed: Entry?
        var authority = false
        for index in candidates {
            let entry = entries[index]
            let same = entry.keyType == keyType && entry.keyBlob == keyBlob
            switch entry.marker {
            case .revoked:
                if same { return .revoked(file: entry.file, line: entry.line) }
            case .certificateAuthority:
                authority = true
            case .none:
                if same { continue }
                if entry.keyType == keyType, changed == nil { changed = entry }
            }
        }
        // A revoked key wins over a listed one, so check revocations first (above) and matches after.
        for index in candidates where entries[index].marker == .none {
            if entries[index].keyType == keyType && entries[index].keyBlob == keyBlob { return .known }
        }
        if let changed { return .changed(file: changed.file, line: changed.line) }
        return authority ? .certificateAuthority : .unknown
    }
}

/// Appends learned host keys to a known_hosts file (StrictHostKeyChecking `accept-new`/`no`), one writer at a time.
enum KnownHostsWriter {
    private static let lock = Mutex<Void>(())

    /// Appends `name type base64` to `file`; returns whether it was written.
    @discardableResult
    static func append(name: String, keyType: String, keyBlob: [UInt8], to file: String) -> Bool {
        if file == "/dev/null" { return true }
        let line = "\(name) \(keyType) \(Data(keyBlob).base64EncodedString())\n"
        return lock.withLock { _ in
            let descriptor = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { return false }
            defer { close(descriptor) }
            let bytes = Array(line.utf8)
            return bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == bytes.count
        }
    }
}
