import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import Mustache

/// The web server: pages, the JSON API, login (OIDC + TOTP), and the WebSocket live channel.
public struct SpiderPigServer: Sendable {
    let config: SpiderPigConfig
    let store: any SpiderPigStore
    let hub: Hub
    let runner: JobRunner
    let auth: Authenticator
    let login: any LoginProvider
    let audit: AuditLog
    let pages: MustacheLibrary
    let assets: String
    let logger: Logger
    /// Logins and second-factor attempts per client IP: 60 a minute.
    let loginLimiter = RateLimiter(limit: 60, window: 60)

    /// Creates the server over opened storage.
    public init(config: SpiderPigConfig, store: any SpiderPigStore, logger: Logger) async throws {
        self.config = config
        self.store = store
        self.logger = logger
        hub = Hub(queueLimit: config.liveQueueBytes)
        audit = AuditLog(path: config.auditLogPath)
        runner = JobRunner(store: store, hub: hub, config: config, audit: audit, logger: logger)
        auth = Authenticator(store: store, config: config)
        let base = config.publicURL.hasSuffix("/") ? String(config.publicURL.dropLast()) : config.publicURL
        login = OIDCClient(settings: config.oidc, redirectURI: base + "/auth/callback")
        guard let assets = Bundle.module.path(forResource: "Assets", ofType: nil) else {
            throw LoginError("SpiderPig's assets are missing from the bundle")
        }
        self.assets = assets
        pages = try await MustacheLibrary(directory: assets + "/templates")
    }

    /// Runs until SIGINT/SIGTERM; running jobs are interrupted on the way out.
    public func run() async throws {
        try await runner.start()
        let revocations = Task { [store, hub] in await RevocationWatcher(store: store, hub: hub).run() }
        defer { revocations.cancel() }
        let app = Application(
            router: router(), server: .http1WebSocketUpgrade(webSocketRouter: webSocketRouter()),
            configuration: .init(address: .hostname(config.listenHost, port: config.listenPort), serverName: "SpiderPig"),
            logger: logger)
        try await app.runService()
        await runner.shutdown()
    }

    // MARK: Sessions

    private func currentSession(_ request: Request) async throws -> SessionRecord? {
        guard let cookie = request.cookies[Authenticator.cookieName]?.value else { return nil }
        return try await auth.session(cookie: cookie)
    }

    /// A fully authenticated session of at least `role`, else 401/403.
    private func requireSession(_ request: Request, role: Role = .viewer) async throws -> SessionRecord {
        guard let session = try await currentSession(request) else { throw APIError(.unauthorized, "log in first", extra: ["login": "/login"]) }
        guard session.fullyAuthenticated else { throw APIError(.unauthorized, "enter your one-time code first", extra: ["login": "/otp"]) }
        guard session.role >= role else { throw APIError(.forbidden, "this needs the \(role.rawValue) role") }
        return session
    }

    /// As ``requireSession`` for a state-changing request: the CSRF header must match the session's token.
    private func requireWrite(_ request: Request, role: Role = .viewer, full: Bool = true) async throws -> SessionRecord {
        let session: SessionRecord
        if full {
            session = try await requireSession(request, role: role)
        } else {
            guard let partial = try await currentSession(request) else { throw APIError(.unauthorized, "log in first") }
            session = partial
        }
        let sent = request.headers[.csrfToken] ?? ""
        guard Self.constantTimeEqual(sent, session.csrfToken) else { throw APIError(.forbidden, "missing or wrong CSRF token") }
        return session
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private func cookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: Authenticator.cookieName, value: value, maxAge: maxAge, path: "/", secure: !config.insecureCookies,
            httpOnly: true, sameSite: .lax)
    }

    private func caller(_ session: SessionRecord) -> Caller { Caller(user: session.user, role: session.role) }

    private func runJobAction(_ body: () async throws -> Void) async throws -> Body {
        do {
            try await body()
            return Body.json(["ok": true])
        } catch let error as JobActionError {
            throw APIError(HTTPResponse.Status(code: error.status), error.description)
        }
    }

    // MARK: Routes

    func router() -> Router<SpiderPigContext> {
        let router = Router(context: SpiderPigContext.self)
        router.middlewares.add(SecurityHeadersMiddleware())
        addPageRoutes(router)
        addLoginRoutes(router)
        addJobRoutes(router)
        addAdminRoutes(router)
        router.get("/static/:file") { _, context -> Response in
            let name = try context.parameters.require("file")
            let types = ["js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8", "svg": "image/svg+xml"]
            guard name.range(of: #"^[a-z0-9-]+\.(js|css|svg)$"#, options: .regularExpression) != nil,
                let type = types[String(name.split(separator: ".").last ?? "")],
                let text = try? String(contentsOfFile: assets + "/static/" + name, encoding: .utf8)
            else { throw APIError(.notFound, "no such file") }
            return Response(
                status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        return router
    }

    private func page(_ name: String, _ session: SessionRecord?, _ extra: [String: Any] = [:]) -> Body {
        var object: [String: Any] = extra
        if let session {
            object["user"] = session.user
            object["role"] = session.role.rawValue
            object["csrf"] = session.csrfToken
            object["isAdmin"] = session.role == .admin
            object["isDeployer"] = session.role >= .deployer
        }
        // The deploy form lists the service repositories; `mediawiki` is the backport form's.
        let services = config.repositories.keys.sorted().filter { $0 != "mediawiki" }
        object["repositories"] = services.map { ["name": $0] }
        object["canDeploy"] = session.map { $0.role >= .deployer } == true && !services.isEmpty
        object["canBackport"] = object["isDeployer"] as? Bool == true && config.repositories["mediawiki"] != nil
        return Body.html(pages.render(object, withTemplate: name) ?? "template \(name) missing")
    }

    private func addPageRoutes(_ router: Router<SpiderPigContext>) {
        @Sendable func full(_ request: Request) async throws -> SessionRecord? {
            guard let session = try await currentSession(request), session.fullyAuthenticated else { return nil }
            return session
        }
        let toLogin = Response(status: .seeOther, headers: [.location: "/login"])
        router.get("/") { request, context -> Response in
            guard let session = try await full(request) else { return toLogin }
            return try page("index", session).response(from: request, context: context)
        }
        router.get("/jobs/:id") { request, context -> Response in
            guard let session = try await full(request) else { return toLogin }
            let id = try context.parameters.require("id", as: Int64.self)
            return try page("job", session, ["jobID": id]).response(from: request, context: context)
        }
        router.get("/admin") { request, context -> Response in
            guard let session = try await full(request) else { return toLogin }
            guard session.role == .admin else { throw APIError(.forbidden, "admins only") }
            return try page("admin", session).response(from: request, context: context)
        }
        router.get("/account") { request, context -> Response in
            guard let session = try await full(request) else { return toLogin }
            return try page("account", session).response(from: request, context: context)
        }
        router.get("/login") { request, context -> Response in
            try page("login", nil).response(from: request, context: context)
        }
        router.get("/otp") { request, context -> Response in
            guard let session = try await currentSession(request) else { return toLogin }
            return try page("otp", session).response(from: request, context: context)
        }
    }

    // MARK: Login

    /// A refused one-time code, audited as `action`: 429 while locked, 403 when banned, else 400.
    private func refused(
        _ failure: OTPFailure, _ action: String, _ session: SessionRecord, _ context: SpiderPigContext
    ) -> APIError {
        audit.record(
            action, user: session.user, ip: context.remoteIP, requestID: context.id,
            details: ["reason": failure.description])
        switch failure {
        case .locked: return APIError(.tooManyRequests, failure.description)
        case .banned: return APIError(.forbidden, failure.description)
        default: return APIError(.badRequest, failure.description, extra: ["field": "code"])
        }
    }

    private func addLoginRoutes(_ router: Router<SpiderPigContext>) {
        @Sendable func limit(_ context: SpiderPigContext) async throws {
            guard await loginLimiter.allow(context.remoteIP) else {
                audit.record("login.rate_limited", user: nil, ip: context.remoteIP, requestID: context.id)
                throw APIError(.tooManyRequests, "too many login attempts from \(context.remoteIP): wait a minute")
            }
        }
        router.get("/auth/login") { _, context -> Response in
            try await limit(context)
            let (url, attempt) = try await login.start()
            try await store.insertLoginAttempt(attempt)
            return Response(status: .seeOther, headers: [.location: url])
        }
        router.get("/auth/callback") { request, context -> Response in
            try await limit(context)
            var query: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
            guard let state = query["state"], let attempt = try await store.takeLoginAttempt(state: state),
                Date().timeIntervalSince(attempt.createdAt) < 600
            else { throw APIError(.badRequest, "unknown or expired login state: start again at /login") }
            let identity: (user: String, groups: [String])
            do { identity = try await login.finish(query: query, attempt: attempt) } catch {
                audit.record("login.failed", user: nil, ip: context.remoteIP, requestID: context.id, details: ["error": "\(error)"])
                throw APIError(.unauthorized, "login failed: \(error)")
            }
            if try await store.user(identity.user)?.banned == true {
                audit.record("login.banned", user: identity.user, ip: context.remoteIP, requestID: context.id)
                throw APIError(.forbidden, "\(identity.user) is banned from SpiderPig")
            }
            guard let role = auth.role(groups: identity.groups) else {
                audit.record("login.unauthorized", user: identity.user, ip: context.remoteIP, requestID: context.id)
                throw APIError(.forbidden, "\(identity.user) is in no SpiderPig group")
            }
            _ = try await store.userCreatingIfNeeded(identity.user, seed: Authenticator.newSeed())
            let (token, _) = try await auth.createSession(user: identity.user, role: role)
            audit.record("login", user: identity.user, ip: context.remoteIP, requestID: context.id, details: ["role": role.rawValue])
            var response = Response(status: .seeOther, headers: [.location: "/otp"])
            response.setCookie(cookie(token, maxAge: Int(config.sessionLifetime)))
            return response
        }
        router.post("/api/otp") { request, context -> Response in
            try await limit(context)
            let session = try await requireWrite(request, full: false)
            struct Code: Decodable { var code: String }
            let code = try await request.decode(as: Code.self, context: context).code
            switch try await auth.verify(user: session.user, code: code) {
            case .success:
                let (token, upgraded) = try await auth.upgrade(session)
                audit.record("2fa.ok", user: session.user, ip: context.remoteIP, requestID: context.id)
                var response = try Body.json(["ok": true, "csrf": upgraded.csrfToken, "user": upgraded.user])
                    .response(from: request, context: context)
                response.setCookie(cookie(token, maxAge: Int(config.sessionLifetime)))
                return response
            case .failure(let failure):
                throw refused(failure, "2fa.failed", session, context)
            }
        }
        // Enrolment of an authenticator app: a fresh code (not the login's) shows the otpauth URL, the secret and
        // its QR code, so a stolen session cookie alone cannot copy the second factor.
        router.post("/api/otp/enrol") { request, context -> Body in
            try await limit(context)
            let session = try await requireWrite(request)
            struct Code: Decodable { var code: String }
            let code = try await request.decode(as: Code.self, context: context).code
            if case .failure(let failure) = try await auth.verify(user: session.user, code: code) {
                throw refused(failure, "otp.enrol.failed", session, context)
            }
            guard let user = try await store.user(session.user) else {
                throw APIError(.notFound, "no user \(session.user)")
            }
            let url = Authenticator.authenticatorURL(seed: user.otpSeed, user: session.user, issuer: config.otpIssuer)
            audit.record("otp.enrol", user: session.user, ip: context.remoteIP, requestID: context.id)
            // The secret to type into an app is the URL's (base32 of the key), not the stored seed text.
            let items = URLComponents(string: url)?.queryItems ?? []
            guard let secret = items.first(where: { $0.name == "secret" })?.value else {
                throw APIError(.internalServerError, "the otpauth URL has no secret")
            }
            var object: [String: Any] = ["url": url, "secret": secret]
            do {
                let svg = try await QRCode.encode(url, format: .svg)
                object["qr"] = "data:image/svg+xml;base64," + Data(svg.utf8).base64EncodedString()
            } catch let failure as QRCode.Failure {
                object["qrError"] = failure.description
            }
            return Body.json(object)
        }
        router.post("/api/logout") { request, context -> Response in
            let session = try await requireWrite(request, full: false)
            try await store.deleteSession(idHash: session.idHash)
            audit.record("logout", user: session.user, ip: context.remoteIP, requestID: context.id)
            var response = try Body.json(["ok": true]).response(from: request, context: context)
            response.setCookie(cookie("", maxAge: 0))
            return response
        }
        router.get("/api/whoami") { request, _ -> Body in
            guard let session = try await currentSession(request) else { return Body.json(["user": NSNull(), "login": "/login"]) }
            return Body.json([
                "user": session.user, "role": session.role.rawValue, "fullyAuthenticated": session.fullyAuthenticated,
                "csrf": session.csrfToken,
            ])
        }
    }

    // MARK: Jobs

    private func addJobRoutes(_ router: Router<SpiderPigContext>) {
        router.get("/api/queue") { request, _ -> Body in
            _ = try await requireSession(request)
            return Body(contentType: "application/json; charset=utf-8", text: try await runner.queueSnapshot())
        }
        router.get("/api/jobs") { request, _ -> Body in
            _ = try await requireSession(request)
            let limit = min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 20, 1), 200)
            let offset = max(request.uri.queryParameters.get("offset", as: Int.self) ?? 0, 0)
            let jobs = try await store.recentJobs(limit: limit, offset: offset).map(JobRunner.json)
            return Body.json(["jobs": jobs])
        }
        router.get("/api/jobs/:id") { request, context -> Body in
            _ = try await requireSession(request)
            let id = try context.parameters.require("id", as: Int64.self)
            guard let job = try await store.job(id) else { throw APIError(.notFound, "no job \(id)") }
            var object: [String: Any] = ["job": JobRunner.json(job)]
            if let pending = try await store.pendingInteraction(jobID: id) {
                object["pending"] = [
                    "id": pending.id, "prompt": pending.prompt,
                    "choices": pending.choices.map { ["label": $0.label, "code": $0.code] },
                ]
            }
            return Body.json(object)
        }
        router.post("/api/jobs") { request, context -> Body in
            let session = try await requireWrite(request, role: .deployer)
            struct JobRequest: Decodable {
                var kind: String
                var repository: String?
                var revision: String?
                var message: String?
                var changes: [String]?
            }
            let body = try await request.decode(as: JobRequest.self, context: context)
            do {
                let job: JobRecord
                switch body.kind {
                case "deploy":
                    job = try await runner.requestDeploy(
                        repository: body.repository ?? "", revision: body.revision, message: body.message ?? "",
                        by: caller(session))
                case "backport":
                    job = try await runner.requestBackport(changes: body.changes ?? [], by: caller(session))
                default: throw APIError(.badRequest, "kind must be deploy or backport")
                }
                return Body.json(["id": job.id, "job": JobRunner.json(job)], status: .created)
            } catch let error as JobActionError {
                throw APIError(HTTPResponse.Status(code: error.status), error.description)
            } catch let error as ChangeListError {
                // The form shows it next to the changes field.
                throw APIError(.badRequest, error.description, extra: ["field": "changes", "invalid": error.invalid])
            }
        }
        router.post("/api/jobs/:id/:action") { request, context -> Body in
            let id = try context.parameters.require("id", as: Int64.self)
            let action = try context.parameters.require("action")
            let session = try await requireWrite(request, role: .deployer)
            let who = caller(session)
            struct Fields: Decodable {
                var ready: Bool?
                var interaction: Int64?
                var code: String?
                var signal: String?
            }
            let fields = (try? await request.decode(as: Fields.self, context: context)) ?? Fields()
            return try await runJobAction {
                switch action {
                case "ready": try await runner.ready(id, ready: fields.ready ?? true, by: who)
                case "requeue": try await runner.requeue(id, by: who)
                case "cancel": try await runner.cancel(id, by: who)
                case "finish": try await runner.finish(id, by: who)
                case "answer":
                    guard let interaction = fields.interaction, let code = fields.code else {
                        throw JobActionError(400, "answer needs interaction and code")
                    }
                    try await runner.answer(id, interactionID: interaction, code: code, by: who)
                case "signal":
                    guard let signal = fields.signal, signal == "interrupt" || signal == "kill" else {
                        throw JobActionError(400, "signal must be interrupt or kill")
                    }
                    try await runner.signal(id, kill: signal == "kill", by: who)
                default: throw JobActionError(404, "no action \(action)")
                }
            }
        }
        router.get("/api/jobs/:id/monitoring") { request, context -> Body in
            _ = try await requireSession(request)
            let id = try context.parameters.require("id", as: Int64.self)
            guard let job = try await store.job(id) else { throw APIError(.notFound, "no job \(id)") }
            guard !config.prometheusURL.isEmpty, !config.prometheusQueries.isEmpty else {
                return Body.json(["series": [Any](), "configured": false])
            }
            // From 10 minutes before the job started to its end (or now).
            let start = (job.startedAt ?? job.queuedAt).addingTimeInterval(-600)
            let end = job.endedAt.map { $0.addingTimeInterval(300) } ?? Date()
            do {
                let series = try await Monitoring(baseURL: config.prometheusURL, queries: config.prometheusQueries)
                    .series(start: start, end: min(end, Date()))
                return Body.json(["series": series, "configured": true, "jobStart": job.startedAt.map { $0.timeIntervalSince1970 as Any } ?? NSNull()])
            } catch let error as JobActionError {
                throw APIError(HTTPResponse.Status(code: error.status), error.description)
            }
        }
        router.get("/api/jobs/:id/log") { request, context -> Response in
            let session = try await requireSession(request)
            let id = try context.parameters.require("id", as: Int64.self)
            guard let job = try await store.job(id) else { throw APIError(.notFound, "no job \(id)") }
            let showSensitive = request.uri.queryParameters["sensitive"] == "1" && (session.role == .admin || session.user == job.owner)
            var text = ""
            var after: Int64 = 0
            while true {
                let batch = try await store.records(jobID: id, after: after, limit: 5000)
                guard let last = batch.last else { break }
                after = last.sequence
                for record in batch { text += LogText.plain(record, showSensitive: showSensitive) }
            }
            if showSensitive { audit.record("job.log.sensitive", user: session.user, details: ["job": "\(id)"]) }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/plain; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"spiderpig-job-\(id).log\"",
                ], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    // MARK: Admin

    private func addAdminRoutes(_ router: Router<SpiderPigContext>) {
        router.post("/api/admin/:action") { request, context -> Body in
            let session = try await requireWrite(request, role: .admin)
            let action = try context.parameters.require("action")
            struct Fields: Decodable {
                var user: String?
                var reason: String?
                var job: Int64?
                var index: Int?
            }
            let fields = (try? await request.decode(as: Fields.self, context: context)) ?? Fields()
            let admin = Admin(store: store, hub: hub, runner: runner, audit: audit)
            do {
                let message = try await admin.perform(
                    action, user: fields.user, reason: fields.reason, job: fields.job, index: fields.index,
                    by: caller(session))
                return Body.json(["ok": true, "message": message])
            } catch let error as JobActionError {
                throw APIError(HTTPResponse.Status(code: error.status), error.description)
            }
        }
    }

    // MARK: WebSocket

    func webSocketRouter() -> Router<SpiderPigContext> {
        let router = Router(context: SpiderPigContext.self)
        router.ws("/ws") { request, _ in
            guard let session = try await currentSession(request), session.fullyAuthenticated else { return .dontUpgrade }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            guard let session = try await currentSession(context.request), session.fullyAuthenticated else { return }
            let parameters = context.request.uri.queryParameters
            let jobID = parameters.get("job", as: Int64.self)
            let after = max(parameters.get("after", as: Int64.self) ?? 0, 0)
            var canSeeSensitive = session.role == .admin
            if let jobID, let job = try await store.job(jobID), job.owner == session.user { canSeeSensitive = true }
            let wantsSensitive = parameters["sensitive"] == "1" && canSeeSensitive
            let viewer = LiveViewer(
                store: store, hub: hub, runner: runner, user: session.user, sessionHash: session.idHash, jobID: jobID, after: after,
                showSensitive: wantsSensitive, logger: logger)
            try await viewer.run(inbound: inbound, outbound: outbound)
        }
        return router
    }
}

extension HTTPField.Name {
    static let contentDisposition = Self("Content-Disposition")!
}
