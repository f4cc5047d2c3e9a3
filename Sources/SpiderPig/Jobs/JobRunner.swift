import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Why a job action was refused; `status` is the HTTP status the web layer answers with.
public struct JobActionError: Error, CustomStringConvertible, Sendable {
    /// HTTP status.
    public var status: Int
    /// What to tell the user.
    public var description: String
    init(_ status: Int, _ description: String) {
        self.status = status
        self.description = description
    }
}

/// Who acts on a job (named Caller: `Actor` is Swift's protocol).
public struct Caller: Sendable {
    /// User name.
    public var user: String
    /// Their role.
    public var role: Role
    /// Creates an caller.
    public init(user: String, role: Role) {
        self.user = user
        self.role = role
    }
}

/// The queue and the job runner: lanes (one job at a time per repository, one backport at a time), the
/// "Ready to deploy?" question with its timeout, freezing, and `scap` children in machine mode. Every record is
/// stored with its sequence number before it is published.
public actor JobRunner {
    private let store: any SpiderPigStore
    private let hub: Hub
    private let config: SpiderPigConfig
    private let logger: Logger
    private let audit: AuditLog?
    private var children: [Int64: (child: JobProcess, key: String)] = [:]
    private var timer: Task<Void, Never>?
    private var lastQueue = ""
    private var stopping = false

    /// Creates the runner.
    public init(store: any SpiderPigStore, hub: Hub, config: SpiderPigConfig, audit: AuditLog?, logger: Logger) {
        self.store = store
        self.hub = hub
        self.config = config
        self.audit = audit
        self.logger = logger
    }

    // MARK: Start and stop

    /// Recovers from a previous run (jobs running then are interrupted, their children killed; asked jobs are
    /// asked again), prunes old logs, then schedules.
    public func start() async throws {
        for var job in try await store.activeJobs() {
            switch job.state {
            case .running:
                if let pid = job.pid, let started = job.pidStartTime, JobProcess.startTime(of: pid) == started {
                    kill(-pid, SIGKILL)
                }
                job.state = .interrupted
                job.endedAt = Date()
                job.pid = nil
                try await store.updateJob(job)
                try await store.closeInteractions(jobID: job.id)
                try await append(
                    job.id, "state",
                    ["state": "interrupted", "status": job.status ?? "", "message": "SpiderPig restarted while the job ran"])
            case .awaitingReady:
                job.state = .queued
                job.readyAskedAt = nil
                try await store.updateJob(job)
            default: break
            }
        }
        try await prune()
        timer = Task { [weak self] in
            var beats = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                beats += 1
                await self?.timeoutReadyQuestions()
                // Admin commands from the CLI change the database only: pick up a freeze or a queue edit.
                if beats % 2 == 0 { try? await self?.schedule() }
                if beats % 3600 == 0 { try? await self?.prune() }
            }
        }
        try await schedule()
    }

    /// Stops the timer and every child (SIGINT to its group, SIGKILL after `grace`).
    /// Jobs ended this way are marked interrupted.
    public func shutdown(grace: Duration = .seconds(5)) async {
        stopping = true
        timer?.cancel()
        for (_, running) in children { running.child.signalGroup(SIGINT) }
        let deadline = ContinuousClock.now + grace
        while !children.isEmpty && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        for (_, running) in children { running.child.signalGroup(SIGKILL) }
        while !children.isEmpty && ContinuousClock.now < deadline + .seconds(2) {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Deletes the records of jobs that ended more than `logRetentionDays` ago (the jobs stay).
    public func prune() async throws {
        guard config.logRetentionDays > 0 else { return }
        let removed = try await store.pruneRecords(endedBefore: Date().addingTimeInterval(-Double(config.logRetentionDays) * 86400))
        if removed > 0 { logger.info("pruned \(removed) log records older than \(config.logRetentionDays) days") }
    }

    // MARK: Requests

    /// Queues `scap deploy` of `repository` at `revision` (optional) with `message` for `caller`.
    public func requestDeploy(repository: String, revision: String?, message: String, by caller: Caller) async throws
        -> JobRecord
    {
        guard caller.role >= .deployer else { throw JobActionError(403, "only deployers may request deployments") }
        guard let directory = config.repositories[repository] else {
            throw JobActionError(400, "unknown repository '\(repository)': known are \(config.repositories.keys.sorted().joined(separator: ", "))")
        }
        var arguments = ["deploy"] + config.scap.extraArguments
        if let revision, !revision.isEmpty {
            guard Self.isSafeRevision(revision) else {
                throw JobActionError(400, "revision must be letters, digits, '.', '_', '/', '-' (not first), at most 200")
            }
            arguments.append("--rev=\(revision)")
        }
        let text = Self.oneLine(message, limit: 500)
        arguments += ["--", text.isEmpty ? "deployed from SpiderPig" : text]
        let summary = revision.map { "\(repository) @ \($0)" } ?? repository
        return try await enqueue(
            JobRecord(
                kind: .deploy, owner: caller.user, lane: "deploy:\(repository)", summary: summary, directory: directory,
                arguments: arguments))
    }

    /// Queues `scap backport` of `changes` for `caller`: the same runner, another argument vector. Each entry is
    /// a change number, a Gerrit change URL or a change ref (``ChangeList``); only change numbers reach scap.
    /// - Throws: ``ChangeListError`` for entries that are not changes, ``JobActionError`` otherwise.
    public func requestBackport(changes: [String], by caller: Caller) async throws -> JobRecord {
        guard caller.role >= .deployer else { throw JobActionError(403, "only deployers may request backports") }
        let numbers = try ChangeList.parse(changes)
        guard let directory = config.repositories["mediawiki"] else {
            throw JobActionError(400, "backports need a 'mediawiki' entry under repositories")
        }
        let ids = numbers.map(String.init)
        var job = JobRecord(
            kind: .backport, owner: caller.user, lane: "backport", summary: "backport " + ids.joined(separator: ", "),
            directory: directory, arguments: ["backport"] + config.scap.extraArguments + ["--"] + ids)
        job.changes = numbers.map { ChangeInfo(id: String($0), number: $0) }
        return try await enqueue(job)
    }

    private func enqueue(_ job: JobRecord) async throws -> JobRecord {
        let stored = try await store.insertJob(job)
        try await append(stored.id, "state", ["state": "queued", "by": stored.owner])
        audit?.record("job.request", user: stored.owner, details: ["job": "\(stored.id)", "summary": stored.summary])
        try await schedule()
        return try await store.job(stored.id) ?? stored
    }

    static func isSafeRevision(_ revision: String) -> Bool {
        revision.count <= 200 && !revision.hasPrefix("-")
            && revision.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._/-".unicodeScalars.contains($0)
            }
    }

    /// `text` on one line (control characters become spaces), at most `limit` characters.
    static func oneLine(_ text: String, limit: Int) -> String {
        String(String(text.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : Character($0) }).prefix(limit))
            .trimmingCharacters(in: .whitespaces)
    }

    // MARK: Scheduling

    /// Asks the owner of the first queued job of every free lane whether they are ready (unless frozen).
    public func schedule() async throws {
        let frozen = try await store.setting("frozen") != nil
        let active = try await store.activeJobs()
        var busy = Set(active.filter { $0.state.holdsLane }.map(\.lane))
        if !frozen {
            for var job in active where job.state == .queued && !busy.contains(job.lane) {
                busy.insert(job.lane)
                job.state = .awaitingReady
                job.readyAskedAt = Date()
                try await store.updateJob(job)
                try await append(
                    job.id, "ready", ["prompt": "Ready to deploy?", "owner": job.owner, "timeout": Int(config.readyTimeout)])
            }
        }
        await publishQueue()
    }

    private func timeoutReadyQuestions() async {
        guard let active = try? await store.activeJobs() else { return }
        var changed = false
        for var job in active where job.state == .awaitingReady {
            guard let asked = job.readyAskedAt, Date().timeIntervalSince(asked) > config.readyTimeout else { continue }
            job.state = .setAside
            job.readyAskedAt = nil
            try? await store.updateJob(job)
            try? await append(job.id, "state", ["state": "set_aside", "message": "No answer to 'Ready to deploy?': set aside"])
            changed = true
        }
        if changed { try? await schedule() }
    }

    /// The queue as JSON for viewers: active jobs in order, and whether deployments are frozen.
    public func queueSnapshot() async throws -> String {
        let frozen = try await store.setting("frozen")
        let jobs = try await store.activeJobs().map(Self.json)
        let object: [String: Any] = ["type": "queue", "frozen": frozen != nil, "frozenReason": frozen ?? "", "jobs": jobs]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    private func publishQueue() async {
        guard let snapshot = try? await queueSnapshot(), snapshot != lastQueue else { return }
        lastQueue = snapshot
        await hub.publish(.queue(snapshot))
    }

    /// A job as a JSON object for the API.
    public static func json(_ job: JobRecord) -> [String: Any] {
        var object: [String: Any] = [
            "id": job.id, "kind": job.kind.rawValue, "owner": job.owner, "lane": job.lane, "summary": job.summary,
            "state": job.state.rawValue, "queuedAt": job.queuedAt.timeIntervalSince1970,
            "command": ["scap"] + job.arguments,
        ]
        if let value = job.startedAt { object["startedAt"] = value.timeIntervalSince1970 }
        if let value = job.endedAt { object["endedAt"] = value.timeIntervalSince1970 }
        if let value = job.exitStatus { object["exitStatus"] = value }
        if let value = job.status { object["status"] = value }
        if let value = job.readyAskedAt { object["readyAskedAt"] = value.timeIntervalSince1970 }
        if !job.changes.isEmpty { object["changes"] = job.changes.map(\.json) }
        if let value = job.progress, let data = value.data(using: .utf8),
            let progress = try? JSONSerialization.jsonObject(with: data)
        {
            object["progress"] = progress
        }
        return object
    }

    // MARK: Owner actions

    private func owned(_ id: Int64, by caller: Caller, action: String) async throws -> JobRecord {
        guard let job = try await store.job(id) else { throw JobActionError(404, "no job \(id)") }
        if job.owner != caller.user {
            guard caller.role == .admin else { throw JobActionError(403, "job \(id) belongs to \(job.owner)") }
            audit?.record("admin.takeover", user: caller.user, details: ["job": "\(id)", "owner": job.owner, "action": action])
        }
        return job
    }

    /// The owner answers "Ready to deploy?": yes starts scap, no sets the job aside.
    public func ready(_ id: Int64, ready: Bool, by caller: Caller) async throws {
        var job = try await owned(id, by: caller, action: "ready")
        guard job.state == .awaitingReady else { throw JobActionError(409, "job \(id) is not waiting for 'ready' (\(job.state.rawValue))") }
        try await append(id, "answer", ["user": caller.user, "answer": ready ? "ready" : "not now", "prompt": "Ready to deploy?"])
        if !ready {
            job.state = .setAside
            job.readyAskedAt = nil
            try await store.updateJob(job)
            try await schedule()
            return
        }
        if try await store.setting("frozen") != nil { throw JobActionError(423, "deployments are frozen") }
        try await launch(job)
    }

    /// Puts a set-aside job back at the end of the queue.
    public func requeue(_ id: Int64, by caller: Caller) async throws {
        var job = try await owned(id, by: caller, action: "requeue")
        guard job.state == .setAside else { throw JobActionError(409, "job \(id) is not set aside") }
        job.state = .queued
        job.position = (try await store.activeJobs().map(\.position).max() ?? 0) + 1
        try await store.updateJob(job)
        try await append(id, "state", ["state": "queued", "by": caller.user])
        try await schedule()
    }

    /// Answers the pending interaction `interactionID` with `code` (one of its codes).
    public func answer(_ id: Int64, interactionID: Int64, code: String, by caller: Caller) async throws {
        let job = try await owned(id, by: caller, action: "answer")
        guard let pending = try await store.pendingInteraction(jobID: id), pending.id == interactionID else {
            throw JobActionError(409, "interaction \(interactionID) of job \(id) is not pending")
        }
        guard pending.choices.contains(where: { $0.code == code }) else {
            throw JobActionError(400, "'\(Self.oneLine(code, limit: 20))' is not one of \(pending.choices.map(\.code).joined(separator: ", "))")
        }
        guard let running = children[job.id] else { throw JobActionError(409, "job \(id) is not running") }
        guard try await store.answerInteraction(id: interactionID, by: caller.user, answer: code) else {
            throw JobActionError(409, "interaction \(interactionID) was already answered")
        }
        try await append(id, "answer", ["user": caller.user, "answer": code, "interaction": interactionID])
        audit?.record("job.answer", user: caller.user, details: ["job": "\(id)", "answer": code])
        running.child.send(code + "\n")
    }

    /// Interrupts (SIGINT to the group) or kills (SIGKILL) a running job.
    public func signal(_ id: Int64, kill killIt: Bool, by caller: Caller) async throws {
        let job = try await owned(id, by: caller, action: killIt ? "kill" : "interrupt")
        guard let running = children[job.id] else { throw JobActionError(409, "job \(id) is not running") }
        try await append(id, "signal", ["user": caller.user, "signal": killIt ? "kill" : "interrupt"])
        audit?.record("job.signal", user: caller.user, details: ["job": "\(id)", "signal": killIt ? "kill" : "interrupt"])
        running.child.signalGroup(killIt ? SIGKILL : SIGINT)
    }

    /// The owner's "Finish deployment": releases the lane after a successful deploy.
    public func finish(_ id: Int64, by caller: Caller) async throws {
        var job = try await owned(id, by: caller, action: "finish")
        guard job.state == .deployed else { throw JobActionError(409, "job \(id) has not deployed (\(job.state.rawValue))") }
        job.state = .finished
        try await store.updateJob(job)
        try await append(id, "state", ["state": "finished", "by": caller.user])
        audit?.record("job.finish", user: caller.user, details: ["job": "\(id)"])
        try await schedule()
    }

    // MARK: Admin

    /// Cancels a job that has not started (owner or admin).
    public func cancel(_ id: Int64, by caller: Caller) async throws {
        var job = try await owned(id, by: caller, action: "cancel")
        guard [.queued, .awaitingReady, .setAside].contains(job.state) else {
            throw JobActionError(409, "job \(id) cannot be cancelled (\(job.state.rawValue))")
        }
        job.state = .cancelled
        job.endedAt = Date()
        try await store.updateJob(job)
        try await append(id, "state", ["state": "cancelled", "by": caller.user])
        audit?.record("job.cancel", user: caller.user, details: ["job": "\(id)"])
        try await schedule()
    }

    /// Moves a queued job to `index` (0 = first) among the queued jobs (admin).
    public func move(_ id: Int64, to index: Int, by caller: Caller) async throws {
        guard caller.role == .admin else { throw JobActionError(403, "only admins may reorder the queue") }
        let queued = try await store.activeJobs().filter { $0.state == .queued || $0.state == .setAside }
        guard var job = queued.first(where: { $0.id == id }) else { throw JobActionError(409, "job \(id) is not queued") }
        var others = queued.filter { $0.id != id }
        let target = max(0, min(index, others.count))
        others.insert(job, at: target)
        let base = (try await store.activeJobs().map(\.position).min() ?? 0)
        for (offset, var other) in others.enumerated() {
            other.position = base + Double(offset) + 0.5
            if other.id == id { job = other }
            try await store.updateJob(other)
        }
        audit?.record("queue.move", user: caller.user, details: ["job": "\(id)", "index": "\(target)"])
        try await schedule()
    }

    /// Freezes (with a reason) or unfreezes deployments: queued jobs wait, running ones finish.
    public func setFrozen(_ reason: String?, by caller: Caller) async throws {
        guard caller.role == .admin else { throw JobActionError(403, "only admins may freeze deployments") }
        try await store.setSetting("frozen", reason.map { Self.oneLine($0, limit: 200).isEmpty ? "frozen" : Self.oneLine($0, limit: 200) })
        audit?.record(reason == nil ? "admin.unfreeze" : "admin.freeze", user: caller.user, details: ["reason": reason ?? ""])
        try await schedule()
    }

    // MARK: Running scap

    private func launch(_ job: JobRecord) async throws {
        var job = job
        let key = Random.hex(32)
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LANG": "C.UTF-8"]
        if let home = ProcessInfo.processInfo.environment["HOME"] { environment["HOME"] = home }
        for (name, value) in config.scap.environment { environment[name] = value }
        environment["SPIDERPIG_IO_KEY"] = key
        environment["SPIDERPIG_REAL_USER"] = job.owner
        environment["FORCE_COLOR"] = "1"
        let child: JobProcess
        do {
            child = try JobProcess(
                executable: config.scap.binary, arguments: job.arguments, directory: job.directory, environment: environment)
        } catch {
            job.state = .failed
            job.endedAt = Date()
            job.status = "could not start scap"
            try await store.updateJob(job)
            try await append(job.id, "line", ["line": "SpiderPig could not start scap: \(error)", "sensitive": false])
            try await schedule()
            return
        }
        children[job.id] = (child, key)
        job.state = .running
        job.startedAt = Date()
        job.pid = child.pid
        job.pidStartTime = child.startTime
        try await store.updateJob(job)
        try await append(job.id, "state", ["state": "running", "command": ["scap"] + job.arguments])
        audit?.record("job.start", user: job.owner, details: ["job": "\(job.id)", "pid": "\(child.pid)"])
        await publishQueue()
        let id = job.id
        Task { await self.supervise(id, child: child, key: key) }
    }

    /// Lines closer together than this are stored in one transaction and sent as one message (a quiet job's line
    /// goes out at once; a fast one's in batches at most this far apart).
    static let flushInterval: Duration = .milliseconds(20)
    /// A batch this long goes out without waiting for `flushInterval`.
    static let flushLines = 2000

    private func supervise(_ id: Int64, child: JobProcess, key: String) async {
        var lastFlush = ContinuousClock.now - Self.flushInterval
        while var batch = await child.nextLines() {
            let due = lastFlush + Self.flushInterval
            if batch.count < Self.flushLines && ContinuousClock.now < due {
                try? await Task.sleep(until: due, clock: .continuous)
                batch += child.pendingLines()
            }
            lastFlush = .now
            do { try await handle(batch, of: id, key: key) } catch {
                logger.error("job \(id): cannot store a record: \(error)")
            }
        }
        let status = await child.wait()
        child.closeInput()
        defer { children.removeValue(forKey: id) }
        do {
            guard var job = try await store.job(id) else { return }
            job.exitStatus = Int(status)
            job.endedAt = Date()
            job.pid = nil
            job.state = stopping ? .interrupted : status == 0 ? .deployed : .failed
            try await store.updateJob(job)
            try await store.closeInteractions(jobID: id)
            try await append(id, "exit", ["status": Int(status), "state": job.state.rawValue])
            if stopping {
                try await append(
                    id, "state",
                    ["state": "interrupted", "status": job.status ?? "", "message": "SpiderPig stopped while the job ran"])
            } else {
                try await schedule()
            }
        } catch {
            logger.error("job \(id): cannot record its end: \(error)")
        }
    }

    /// Output lines of the child: a record with the job's key is what it says; anything else (a target's
    /// output, a forged record) is a plain line. Runs of lines are stored in one transaction.
    private func handle(_ batch: [String], of id: Int64, key: String) async throws {
        var lines: [(payload: String, sensitive: Bool)] = []
        for line in batch {
            guard line.hasPrefix("{") else {
                lines.append((LineRecords.plainPayload(line), false))
                continue
            }
            if let fast = LineRecords.lineRecord(line, key: key) {
                lines.append(fast)
                continue
            }
            let record = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            guard let record, record["iokey"] as? String == key, let type = record["type"] as? String else {
                lines.append((try Self.jsonText(["line": line, "sensitive": false]), false))
                continue
            }
            if type == "line" {
                let sensitive = record["sensitive"] as? Bool ?? false
                lines.append((try Self.jsonText(["line": record["line"] as? String ?? "", "sensitive": sensitive]), sensitive))
                continue
            }
            try await storeLines(lines, of: id)
            lines = []
            try await handle(record, type: type, line: line, of: id)
        }
        try await storeLines(lines, of: id)
    }

    /// A message of lines carries at most this many bytes of payload (lines are up to 64 KiB each).
    static let messageBytes = 512 << 10

    /// Stores lines in one transaction per message-sized chunk, and publishes each chunk as one message.
    private func storeLines(_ lines: [(payload: String, sensitive: Bool)], of id: Int64) async throws {
        var start = 0
        while start < lines.count {
            var end = start
            var bytes = 0
            while end < lines.count && (end == start || bytes + lines[end].payload.utf8.count <= Self.messageBytes) {
                bytes += lines[end].payload.utf8.count
                end += 1
            }
            let records = try await store.appendRecords(jobID: id, kind: "line", payloads: Array(lines[start..<end]), at: Date())
            await hub.publish(.records(RecordBatch(records)))
            start = end
        }
    }

    static func jsonText(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    private func handle(_ record: [String: Any], type: String, line: String, of id: Int64) async throws {
        switch type {
        case "status":
            let status = record["status"] as? String
            if var job = try await store.job(id) {
                job.status = status
                job.progress = nil
                try await store.updateJob(job)
            }
            try await append(id, "status", ["status": status ?? NSNull()])
        case "progress":
            let progress = record["progress"] as? [String: Any] ?? [:]
            let text = String(decoding: try JSONSerialization.data(withJSONObject: progress, options: [.sortedKeys]), as: UTF8.self)
            if var job = try await store.job(id) {
                job.progress = text
                try await store.updateJob(job)
            }
            try await append(id, "progress", ["progress": progress])
        case "interaction":
            let prompt = record["prompt"] as? String ?? ""
            let mapping = record["choices"] as? [String: String] ?? [:]
            let order = record["choiceOrder"] as? [String] ?? mapping.values.sorted()
            let labels = Dictionary(mapping.map { ($0.value, $0.key) }) { first, _ in first }
            let choices = order.compactMap { code in labels[code].map { InteractionRecord.Choice(label: $0, code: code) } }
            let stored = try await store.insertInteraction(
                InteractionRecord(
                    id: 0, jobID: id, prompt: prompt, choices: choices, defaultCode: record["default"] as? String,
                    answeredBy: nil, answer: nil))
            try await append(
                id, "interaction",
                [
                    "id": stored.id, "prompt": prompt, "choices": choices.map { ["label": $0.label, "code": $0.code] },
                    "default": stored.defaultCode ?? NSNull(),
                ])
        case "changes":
            // What scap found for the backport's changes (a security change without subject or owner).
            guard let changes = ChangeInfo.fromRecord(record["changes"]) else {
                try await append(id, "line", ["line": line, "sensitive": false])
                return
            }
            if var job = try await store.job(id), job.kind == .backport {
                job.changes = changes
                try await store.updateJob(job)
            }
            try await append(id, "changes", ["changes": changes.map(\.json)])
            await publishQueue()
        default:
            try await append(id, "line", ["line": line, "sensitive": false])
        }
    }

    /// Stores a record (sequence number assigned by the store), then publishes it.
    @discardableResult
    private func append(_ id: Int64, _ kind: String, _ payload: [String: Any], sensitive: Bool = false) async throws
        -> LogRecord
    {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]), as: UTF8.self)
        let record = try await store.appendRecord(jobID: id, kind: kind, payload: text, sensitive: sensitive, at: Date())
        await hub.publish(.records(RecordBatch([record])))
        return record
    }
}
