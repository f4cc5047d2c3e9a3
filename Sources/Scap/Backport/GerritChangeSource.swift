import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Changes from Gerrit's REST API (`change_source: gerrit`, `gerrit_url`).
///
/// A change is read with its current revision, labels and parent; a parent that is the current revision of an
/// open change is a dependency. Merging votes Code-Review +2 on each change ("Approved by user@host using scap
/// backport") and polls every `gerrit_poll_interval` until every change is MERGED: "not mergeable" is tolerated
/// for 2 polls, Verified -1 after the vote stops with "failed build tests", Code-Review -2 stops, and a new
/// patchset asks whether to re-approve. Then the deploy repository fast-forwards to the upstream branch.
public struct GerritChangeSource: ChangeSource {
    /// Gerrit's base URL (`https://gerrit.wikimedia.org/r`).
    public var url: String
    /// The Gerrit project of the deploy repository (`gerrit_project`, default `git_repo`).
    public var project: String
    /// The deploy branch.
    public var deployBranch: String
    /// HTTP basic credentials for `/a/` (`gerrit_user`, `gerrit_password_file`), if set.
    public var credentials: (user: String, password: String)?
    /// How often to poll while waiting for merges.
    public var pollInterval: Duration
    /// How long to wait for every change to merge.
    public var mergeTimeout: Duration
    /// The deploy repository, fast-forwarded after the merge.
    public var git: GitChangeSource

    /// Creates the source from scap.cfg.
    /// - Throws: ``BackportError`` (`.usage`) when `gerrit_url` is missing or the password file cannot be read.
    public init(config: ScapConfig, root: String, remote: String, branch: String?) async throws(BackportError) {
        guard let url = config.backportString("gerrit_url"), url.hasPrefix("http://") || url.hasPrefix("https://")
        else {
            throw BackportError(.usage, "change_source: gerrit needs gerrit_url (e.g. https://gerrit.wikimedia.org/r)")
        }
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        git = try await GitChangeSource(root: root, remote: remote, branch: branch)
        deployBranch = git.deployBranch
        project = config.backportString("gerrit_project") ?? config.gitRepo ?? ""
        if let user = config.backportString("gerrit_user") {
            guard let file = config.backportString("gerrit_password_file"),
                let password = try? String(contentsOfFile: file, encoding: .utf8)
            else {
                throw BackportError(.usage, "gerrit_user is set but gerrit_password_file cannot be read")
            }
            credentials = (user, password.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        pollInterval = .milliseconds(Int64((config.backportNumber("gerrit_poll_interval") ?? 5) * 1000))
        mergeTimeout = .milliseconds(Int64((config.backportNumber("gerrit_merge_timeout") ?? 1800) * 1000))
    }

    // MARK: REST

    /// Gerrit's JSON with its `)]}'` prefix removed.
    static func decode(_ text: String) -> Any? {
        var body = Substring(text)
        if body.hasPrefix(")]}'") { body = body.dropFirst(4) }
        return try? JSONSerialization.jsonObject(with: Data(body.utf8))
    }

    private func request(_ method: String, _ path: String, body: [String: Any]? = nil) async throws(BackportError)
        -> (status: UInt, json: Any?, text: String)
    {
        let prefix = credentials == nil ? "" : "/a"
        var request = HTTPClientRequest(url: url + prefix + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        if let credentials {
            let token = Data("\(credentials.user):\(credentials.password)".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(token)")
        }
        if let body, let data = try? JSONSerialization.data(withJSONObject: body) {
            request.headers.add(name: "Content-Type", value: "application/json; charset=UTF-8")
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let text = String(buffer: try await response.body.collect(upTo: 8 << 20))
            return (response.status.code, Self.decode(text), text)
        } catch {
            throw BackportError(.failed, "Gerrit at \(url) is unreachable (\(method) \(path)): \(error)")
        }
    }

    /// `/changes/<id>` with the current revision, labels and commit; `nil` when Gerrit does not know it.
    private func changeInfo(_ id: String) async throws(BackportError) -> [String: Any]? {
        guard let encoded = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) else { return nil }
        let answer = try await request(
            "GET", "/changes/\(encoded)?o=CURRENT_REVISION&o=CURRENT_COMMIT&o=LABELS&o=DETAILED_ACCOUNTS")
        if answer.status == 404 { return nil }
        guard answer.status == 200, let info = answer.json as? [String: Any] else {
            throw BackportError(
                .failed, "Gerrit answered HTTP \(answer.status) for change \(id): \(answer.text.prefix(200))")
        }
        return info
    }

    /// The open change whose current revision is `commit`, if any.
    private func openChange(withCommit commit: String) async throws(BackportError) -> Bool {
        let answer = try await request("GET", "/changes/?q=commit:\(commit)+status:open")
        return !((answer.json as? [[String: Any]]) ?? []).isEmpty
    }

    func change(from info: [String: Any], id: String) async throws(BackportError) -> BackportChange {
        let revision = info["current_revision"] as? String ?? ""
        let revisions = info["revisions"] as? [String: Any] ?? [:]
        let current = revisions[revision] as? [String: Any] ?? [:]
        let commit = current["commit"] as? [String: Any] ?? [:]
        let parents = (commit["parents"] as? [[String: Any]] ?? []).compactMap { $0["commit"] as? String }
        var dependencies: [String] = []
        for parent in parents {
            if try await openChange(withCommit: parent) { dependencies.append(parent) }
        }
        let owner = info["owner"] as? [String: Any] ?? [:]
        let hashtags = info["hashtags"] as? [String] ?? []
        return BackportChange(
            id: id, number: info["_number"] as? Int, patchset: current["_number"] as? Int, commit: revision,
            ref: current["ref"] as? String, subject: info["subject"] as? String ?? "",
            owner: owner["name"] as? String ?? owner["username"] as? String ?? "",
            branch: info["branch"] as? String ?? "",
            status: BackportChange.Status(rawValue: info["status"] as? String ?? "") ?? .new,
            mergeable: info["mergeable"] as? Bool, topic: info["topic"] as? String, dependencies: dependencies,
            security: hashtags.contains("security"))
    }

    public func resolve(_ ids: [String]) async throws(BackportError) -> [BackportChange] {
        var changes: [BackportChange] = []
        var unknown: [String] = []
        for raw in ids {
            let id = Self.changeNumber(raw) ?? raw
            guard id.allSatisfy(\.isNumber), let info = try await changeInfo(id) else {
                unknown.append(raw)
                continue
            }
            changes.append(try await change(from: info, id: id))
        }
        guard unknown.isEmpty else {
            throw BackportError(
                .changes, unknown.map { "change '\($0)' not found in Gerrit at \(url)" }.joined(separator: "\n"))
        }
        return changes
    }

    /// The number of a change URL (`https://gerrit…/c/project/+/12345`) or number.
    static func changeNumber(_ text: String) -> String? {
        let last = text.split(separator: "/").last(where: { !$0.isEmpty }).map(String.init) ?? text
        return last.allSatisfy(\.isNumber) && !last.isEmpty ? last : nil
    }

    private func vote(_ change: BackportChange, context: ChangeMergeContext) async throws(BackportError) {
        let message = "Approved by \(context.user)@\(context.host) using scap backport"
        let answer = try await request(
            "POST", "/changes/\(change.number.map(String.init) ?? change.id)/revisions/current/review",
            body: ["message": message, "labels": ["Code-Review": 2]])
        guard answer.status == 200 else {
            throw BackportError(
                .changes,
                "Gerrit refused the Code-Review +2 on change \(change.label) (HTTP \(answer.status)): "
                    + answer.text.prefix(200))
        }
        context.notify("Voted Code-Review +2 on change \(change.label)", change.security)
    }

    static func label(_ info: [String: Any], _ name: String) -> [Int] {
        let labels = info["labels"] as? [String: Any] ?? [:]
        let label = labels[name] as? [String: Any] ?? [:]
        var values = (label["all"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? Int }
        if label["rejected"] != nil { values.append(name == "Code-Review" ? -2 : -1) }
        return values
    }

    public func merge(_ changes: [BackportChange], context: ChangeMergeContext) async throws(BackportError) -> String {
        var waiting = changes.filter { $0.status != .merged }
        for change in waiting { try await vote(change, context: context) }
        var approved = Dictionary(waiting.map { ($0.id, $0.commit) }, uniquingKeysWith: { first, _ in first })
        var unmergeable: [String: Int] = [:]
        context.status("Waiting for changes to be merged. This may take some time…")
        context.notify("Waiting for changes to be merged. This may take some time…", false)
        let deadline = ContinuousClock.now + mergeTimeout
        while !waiting.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw BackportError(
                    .changes,
                    "changes not merged within gerrit_merge_timeout: "
                        + waiting.map(\.label).joined(separator: ", "))
            }
            let wake = ContinuousClock.now + pollInterval
            while ContinuousClock.now < wake, !context.isInterrupted() {
                try? await Task.sleep(for: min(.milliseconds(200), wake - ContinuousClock.now))
            }
            if context.isInterrupted() {
                throw BackportError(
                    .interrupted,
                    "interrupted (Ctrl+C) while waiting for the merge of "
                        + waiting.map(\.label).joined(separator: ", ") + "; the votes stay, nothing was deployed")
            }
            for change in waiting {
                guard let info = try await changeInfo(change.id) else {
                    throw BackportError(.changes, "change \(change.label) disappeared from Gerrit")
                }
                switch info["status"] as? String {
                case "MERGED":
                    context.notify("Change \(change.label) merged", change.security)
                    waiting.removeAll { $0.id == change.id }
                    continue
                case "ABANDONED":
                    throw BackportError(.changes, "change \(change.label) was abandoned while waiting for its merge")
                default: break
                }
                if Self.label(info, "Verified").contains(where: { $0 < 0 }) {
                    throw BackportError(
                        .changes, "change \(change.label) failed build tests (Verified -1); nothing was deployed")
                }
                if Self.label(info, "Code-Review").contains(-2) {
                    throw BackportError(.changes, "change \(change.label) got Code-Review -2; nothing was deployed")
                }
                if let revision = info["current_revision"] as? String, revision != approved[change.id] {
                    let answer = await context.ask(
                        "Change \(change.label) has a new patchset. Re-approve change and continue?",
                        [("Yes", "y"), ("No", "n")], "n")
                    guard answer == "y" else {
                        throw BackportError(.changes, "change \(change.label) has a new patchset that was not approved")
                    }
                    approved[change.id] = revision
                    try await vote(try await self.change(from: info, id: change.id), context: context)
                }
                if info["mergeable"] as? Bool == false {
                    unmergeable[change.id, default: 0] += 1
                    if unmergeable[change.id, default: 0] > 2 {
                        throw BackportError(
                            .changes,
                            "change \(change.label) is not mergeable (it needs a rebase); nothing was deployed")
                    }
                } else {
                    unmergeable[change.id] = 0
                }
            }
        }
        // The changes are upstream now: bring the deploy repository to the branch.
        return try await git.fastForward(context: context)
    }

    public func pending() async throws(BackportError) -> [BackportChange] {
        let query = "status:open+branch:\(deployBranch)" + (project.isEmpty ? "" : "+project:\(project)")
        let answer = try await request("GET", "/changes/?q=\(query)&o=CURRENT_REVISION&o=CURRENT_COMMIT")
        guard answer.status == 200, let list = answer.json as? [[String: Any]] else {
            throw BackportError(.failed, "Gerrit answered HTTP \(answer.status) listing open changes")
        }
        var changes: [BackportChange] = []
        for info in list.prefix(500) {
            changes.append(try await change(from: info, id: String(info["_number"] as? Int ?? 0)))
        }
        return changes
    }

    public func revert(_ changes: [BackportChange], reason: String, user: String) async throws(BackportError)
        -> [BackportChange]
    {
        var reverts: [BackportChange] = []
        for change in changes {
            let answer = try await request(
                "POST", "/changes/\(change.number.map(String.init) ?? change.id)/revert",
                body: [
                    "message":
                        "Revert \"\(change.subject)\"\n\nThis reverts commit \(change.commit).\n\nReason: \(reason)"
                ])
            guard answer.status == 200, let info = answer.json as? [String: Any], let number = info["_number"] as? Int
            else {
                throw BackportError(
                    .changes,
                    "Gerrit refused to revert change \(change.label) (HTTP \(answer.status)): "
                        + answer.text.prefix(200))
            }
            guard let full = try await changeInfo(String(number)) else {
                throw BackportError(.changes, "the revert of change \(change.label) is not in Gerrit")
            }
            var revert = try await self.change(from: full, id: String(number))
            revert.security = change.security
            reverts.append(revert)
        }
        return reverts
    }
}
