import Foundation

/// One change of a backport job: what the deployer asked for at first, then what `scap backport` found (its
/// `changes` record: subject, owner, project, branch). A security change's subject and owner stay unknown here.
public struct ChangeInfo: Sendable, Equatable, Codable {
    /// What the deployer named it, as passed to scap (the change number).
    public var id: String
    /// Gerrit's change number.
    public var number: Int?
    /// The patchset scap deploys (known once scap has read the change).
    public var patchset: Int?
    /// The commit subject (the change's title).
    public var subject: String?
    /// Who wrote it.
    public var owner: String?
    /// The Gerrit project.
    public var project: String?
    /// The branch it targets.
    public var branch: String?
    /// A security change: details only in sensitive lines.
    public var security: Bool

    /// Creates a change description.
    public init(
        id: String, number: Int? = nil, patchset: Int? = nil, subject: String? = nil, owner: String? = nil,
        project: String? = nil, branch: String? = nil, security: Bool = false
    ) {
        self.id = id
        self.number = number
        self.patchset = patchset
        self.subject = subject
        self.owner = owner
        self.project = project
        self.branch = branch
        self.security = security
    }

    /// The object for the API and pages (absent fields left out).
    public var json: [String: Any] {
        var object: [String: Any] = ["id": id, "security": security]
        if let number { object["number"] = number }
        if let patchset { object["patchset"] = patchset }
        if let subject { object["subject"] = subject }
        if let owner { object["owner"] = owner }
        if let project { object["project"] = project }
        if let branch { object["branch"] = branch }
        return object
    }

    /// The changes of scap's `changes` record; `nil` when it is not a list of changes. Strings are cut to one
    /// line of at most 300 characters (they are shown in the queue).
    static func fromRecord(_ items: Any?) -> [ChangeInfo]? {
        guard let items = items as? [[String: Any]], items.count <= 100 else { return nil }
        func text(_ value: Any?) -> String? {
            (value as? String).map { JobRunner.oneLine($0, limit: 300) }
        }
        return items.compactMap { item in
            guard let id = text(item["id"]) else { return nil }
            return ChangeInfo(
                id: id, number: item["number"] as? Int, patchset: item["patchset"] as? Int,
                subject: text(item["subject"]),
                owner: text(item["owner"]), project: text(item["project"]), branch: text(item["branch"]),
                security: item["security"] as? Bool ?? false)
        }
    }
}

/// A backport request's change list that cannot be used: the entries at fault and what is wrong.
public struct ChangeListError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The entries that are not changes (as typed, cut to 100 characters).
    public var invalid: [String]
    /// What to tell the user.
    public var description: String
}

/// Reads the changes a deployer names for a backport: Gerrit change numbers (`12345`), change URLs
/// (`https://gerrit.example.org/r/c/project/+/12345`, `…/+/12345/2`, `https://gerrit.example.org/r/12345`,
/// `…/#/c/12345/`) and change refs (`refs/changes/45/12345/2`), separated by spaces, commas or new lines. Each
/// becomes its change number, which is all that reaches scap's argument vector.
public enum ChangeList {
    /// At most this many changes in one backport.
    public static let maximumCount = 20

    /// The change numbers of `entries`, in order, without repeats.
    /// - Throws: ``ChangeListError`` naming every entry that is not a change, or when there are none or too many.
    public static func parse(_ entries: [String]) throws(ChangeListError) -> [Int] {
        let words = entries.flatMap {
            $0.split(whereSeparator: { $0 == " " || $0 == "," || $0.isNewline || $0 == "\t" })
        }
        .map(String.init)
        guard !words.isEmpty else {
            throw ChangeListError(invalid: [], description: "name at least one change: a number, a Gerrit URL or a ref")
        }
        var numbers: [Int] = []
        var invalid: [String] = []
        for word in words {
            if let number = changeNumber(word) {
                if !numbers.contains(number) { numbers.append(number) }
            } else {
                invalid.append(String(word.prefix(100)))
            }
        }
        guard invalid.isEmpty else {
            let list = invalid.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (invalid.count > 5 ? ", ..." : "")
            throw ChangeListError(
                invalid: invalid,
                description: "not a change: \(list). Use a change number (12345), a Gerrit change URL "
                    + "(https://gerrit.example.org/r/c/project/+/12345) or a ref (refs/changes/45/12345/2)")
        }
        guard numbers.count <= maximumCount else {
            throw ChangeListError(
                invalid: [], description: "at most \(maximumCount) changes in one backport (\(numbers.count) given)")
        }
        return numbers
    }

    /// The change number `word` names, or `nil`.
    static func changeNumber(_ word: String) -> Int? {
        guard word.count <= 300 else { return nil }
        if let number = plainNumber(word) { return number }
        if word.hasPrefix("refs/changes/") {
            // refs/changes/<last two digits>/<number>/<patchset>
            let parts = word.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 5, let number = plainNumber(parts[3]), plainNumber(parts[4]) != nil,
                parts[2] == String(format: "%02d", number % 100)
            else { return nil }
            return number
        }
        guard let url = URLComponents(string: word), let scheme = url.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = url.host, !host.isEmpty, url.user == nil
        else { return nil }
        // The path after "/+/" (PolyGerrit), else the fragment's "/c/N" (old UI), else the path's last segment.
        let path = url.path.split(separator: "/").map(String.init)
        if let plus = path.firstIndex(of: "+"), plus + 1 < path.count {
            return plainNumber(path[plus + 1])
        }
        if let fragment = url.fragment {
            let parts = fragment.split(separator: "/").map(String.init)
            if let c = parts.firstIndex(of: "c"), c + 1 < parts.count { return plainNumber(parts[c + 1]) }
            return nil
        }
        return path.last.flatMap(plainNumber)
    }

    private static func plainNumber(_ text: String) -> Int? {
        guard (1...10).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(text),
            number > 0
        else { return nil }
        return number
    }
}
