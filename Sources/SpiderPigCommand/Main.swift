import ArgumentParser
import Foundation
import SpiderPig

@main
struct SpiderPigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spiderpig", abstract: "The web UI for deployments with scap.", version: "0.1.0-swift",
        subcommands: [Serve.self, OTP.self, AdminCommand.self, Migrate.self])
}

struct ConfigOption: ParsableArguments {
    @Option(name: [.short, .long], help: "The configuration file (default $SPIDERPIG_CONFIG or /etc/spiderpig/config.yaml).")
    var config: String?

    func load() throws -> SpiderPigConfig {
        do { return try SpiderPigConfig.load(path: config ?? SpiderPigApplication.defaultConfigPath) } catch {
            throw ValidationError(error.description)
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web server and the job runner.")
    @OptionGroup var options: ConfigOption
    @Flag(help: "Cookies without Secure: for plain HTTP on loopback only.")
    var insecureCookies = false

    func run() async throws {
        var config = try options.load()
        if insecureCookies { config.insecureCookies = true }
        if config.insecureCookies && !["127.0.0.1", "::1", "localhost"].contains(config.listenHost) {
            throw ValidationError("--insecure-cookies is for loopback only (listen_host is \(config.listenHost))")
        }
        try await SpiderPigApplication.serve(config: config)
    }
}

struct OTP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "otp", abstract: "Print your current one-time code (proof of shell access to this host).")
    @OptionGroup var options: ConfigOption
    @Flag(name: .shortAndLong, help: "Print the code only.")
    var quiet = false
    @Flag(help: "Print the otpauth URL and its QR code (drawn by qrencode) to enrol an authenticator app.")
    var qr = false
    @Option(help: "Another user's code (root only).")
    var user: String?

    func run() async throws {
        guard let me = SpiderPigApplication.callingUser() else { throw ValidationError("cannot tell who you are") }
        if user != nil && getuid() != 0 { throw ValidationError("--user is for root only") }
        let name = user ?? me
        let config = try options.load()
        let result = try await SpiderPigApplication.otp(config: config, user: name)
        if qr {
            // The URL first: it enrols an app even where no QR code can be drawn.
            print(result.url)
            do {
                print(try await QRCode.encode(result.url, format: .terminal), terminator: "")
            } catch let failure as QRCode.Failure {
                throw QRFailure(message: failure.description)
            }
            return
        }
        if quiet { print(result.code) } else { print("SpiderPig code for \(name): \(result.code) (valid for \(result.validFor) s)") }
    }
}

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Administer SpiderPig: freeze, unfreeze, ban, unban, logout USER, logout-all, queue list/move/cancel.",
        discussion: """
            spiderpig admin freeze [REASON] | unfreeze | ban USER | unban USER | logout USER | logout-all
            spiderpig admin queue list | queue move JOB INDEX | queue cancel JOB
            """)
    @OptionGroup var options: ConfigOption
    @Argument(help: "The action and its arguments.")
    var words: [String]

    func run() async throws {
        let config = try options.load()
        guard let first = words.first else { throw ValidationError("an action is needed") }
        var action = first
        var user: String?
        var reason: String?
        var job: Int64?
        var index: Int?
        let rest = Array(words.dropFirst())
        switch first {
        case "freeze": reason = rest.isEmpty ? "frozen" : rest.joined(separator: " ")
        case "unfreeze", "logout-all": break
        case "ban", "unban", "logout":
            guard rest.count == 1 else { throw ValidationError("\(first) USER") }
            user = rest[0]
        case "queue":
            switch rest.first {
            case "list": action = "queue-list"
            case "move":
                guard rest.count == 3, let id = Int64(rest[1]), let position = Int(rest[2]), position >= 1 else {
                    throw ValidationError("queue move JOB POSITION (1 = first)")
                }
                action = "move"
                job = id
                index = position - 1
            case "cancel":
                guard rest.count == 2, let id = Int64(rest[1]) else { throw ValidationError("queue cancel JOB") }
                action = "cancel"
                job = id
            default: throw ValidationError("queue list | queue move JOB POSITION | queue cancel JOB")
            }
        default: throw ValidationError("unknown action \(first)")
        }
        let caller = SpiderPigApplication.callingUser() ?? "root"
        do {
            print(
                try await SpiderPigApplication.admin(
                    config: config, action: action, user: user, reason: reason, job: job, index: index, caller: caller))
        } catch let error as JobActionError {
            throw ValidationError(error.description)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        _ = try await SpiderPigApplication.openStore(config)
        print("database \(config.databasePath) is up to date")
    }
}

/// `otp --qr` could not draw the QR code (the URL was printed).
struct QRFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
