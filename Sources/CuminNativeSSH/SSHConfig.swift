import Foundation

/// The `ssh_config` subset the native transport understands, read from cumin's `ssh_options` (`-F FILE`, `-o`,
/// `-i`, `-p`, `-l`) or, without `-F`, from `~/.ssh/config` and `/etc/ssh/ssh_config` as OpenSSH does.
///
/// Keywords that change how a connection is made and that the native transport cannot honour (ProxyJump,
/// ProxyCommand, `Match`, certificates, forwardings, ...) make ``resolve(host:)`` return a fallback reason, and that
/// host then goes through OpenSSH. Keywords that only tune OpenSSH itself (KexAlgorithms, LogLevel,
/// ControlMaster, ...) are ignored.
public struct SSHConfig: Sendable {
    /// One setting as written: keyword (lowercased), value, where.
    struct Setting: Sendable {
        var keyword: String
        var value: String
        var origin: String
    }

    /// A `Host` block (or the settings before the first one, with `patterns` nil).
    struct Block: Sendable {
        var patterns: [Substring]?
        var isMatch = false
        var settings: [Setting] = []
    }

    /// Settings from the command line (`-o`, `-i`, `-p`, `-l`): they come first, so they win.
    private(set) var commandLine: [Setting] = []
    private(set) var blocks: [Block] = []
    /// A reason that applies to every host (an `ssh` option the native transport does not know).
    private(set) var globalFallback: String?
    /// Problems met while reading (unreadable includes, ...), for the debug log.
    public private(set) var warnings: [String] = []

    /// The user's home directory, for `~` and `%d`.
    let home: String
    /// The local user name, for `%u`.
    let localUser: String

    /// The most files read through `Include` (and nesting depth), as OpenSSH bounds them.
    static let maximumIncludeDepth = 16
    static let maximumFileSize = 4 << 20

    /// Reads the configuration that `ssh` would read with these extra arguments.
    /// - Parameters:
    ///   - sshOptions: the words of cumin's `ssh_options`.
    ///   - home: the home directory (default: `$HOME`).
    public init(sshOptions: [String], home: String? = nil, localUser: String? = nil) {
        self.home = home ?? ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        self.localUser = localUser ?? ProcessInfo.processInfo.userName
        var configFile: String?
        var index = 0
        func value(_ option: String, _ inline: Substring) -> String? {
            if !inline.isEmpty { return String(inline) }
            index += 1
            return index < sshOptions.count ? sshOptions[index] : nil
        }
        while index < sshOptions.count {
            let word = sshOptions[index]
            let flag = word.prefix(2)
            let rest = word.dropFirst(2)
            switch flag {
            case "-F":
                configFile = value("-F", rest)
            case "-o":
                if let option = value("-o", rest) {
                    if let setting = Self.split(option, origin: "-o \(option)") { commandLine.append(setting) }
                }
            case "-i":
                if let file = value("-i", rest) {
                    commandLine.append(Setting(keyword: "identityfile", value: file, origin: "-i"))
                }
            case "-p":
                if let port = value("-p", rest) { commandLine.append(Setting(keyword: "port", value: port, origin: "-p")) }
            case "-l":
                if let user = value("-l", rest) { commandLine.append(Setting(keyword: "user", value: user, origin: "-l")) }
            case "-q", "-T", "-n", "-x", "-a", "-4", "-C":
                break
            case "-v":
                break
            default:
                globalFallback = globalFallback ?? "ssh option \(word)"
            }
            index += 1
        }
        if let configFile {
            if configFile != "none" { read(file: expandTilde(configFile), depth: 0, base: nil) }
        } else {
            read(file: self.home + "/.ssh/config", depth: 0, base: self.home + "/.ssh")
            read(file: "/etc/ssh/ssh_config", depth: 0, base: "/etc/ssh")
        }
    }

    /// Adds settings that come before every file (cumin's own `-oBatchMode=yes`, `-oConnectTimeout=N`, `-l USER`).
    mutating func prepend(keyword: String, value: String) {
        commandLine.append(Setting(keyword: keyword, value: value, origin: "cumin"))
    }

    /// Splits `Keyword value`, `Keyword=value`, `Keyword = "value"`.
    static func split(_ line: some StringProtocol, origin: String) -> Setting? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
        guard let separator = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "=" }) else {
            return Setting(keyword: trimmed.lowercased(), value: "", origin: origin)
        }
        let keyword = trimmed[..<separator].lowercased()
        var value = trimmed[separator...].drop(while: { $0 == " " || $0 == "\t" })
        if value.hasPrefix("=") { value = value.dropFirst().drop(while: { $0 == " " || $0 == "\t" }) }
        var text = String(value).trimmingCharacters(in: .whitespaces)
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
        return Setting(keyword: keyword, value: text, origin: origin)
    }

    private mutating func read(file: String, depth: Int, base: String?) {
        guard depth <= Self.maximumIncludeDepth else {
            warnings.append("\(file): Include nested too deeply")
            return
        }
        guard let handle = FileHandle(forReadingAtPath: file) else {
            if depth > 0 { warnings.append("\(file): cannot be read") }
            return
        }
        let data = (try? handle.read(upToCount: Self.maximumFileSize)) ?? Data()
        try? handle.close()
        var number = 0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            guard let setting = Self.split(line, origin: "\(file):\(number)") else { continue }
            switch setting.keyword {
            case "host":
                blocks.append(Block(patterns: setting.value.split(whereSeparator: { $0 == " " || $0 == "\t" })))
            case "match":
                blocks.append(Block(patterns: [], isMatch: true, settings: []))
            case "include":
                for pattern in setting.value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                    var path = expandTilde(String(pattern))
                    if !path.hasPrefix("/") { path = (base ?? home + "/.ssh") + "/" + path }
                    for included in Self.glob(path) { read(file: included, depth: depth + 1, base: base) }
                }
            default:
                if blocks.isEmpty { blocks.append(Block(patterns: nil)) }
                blocks[blocks.count - 1].settings.append(setting)
            }
        }
    }

    private static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<min(Int(result.gl_pathc), 1000) {
            if let path = result.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths
    }

    func expandTilde(_ path: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst() }
        return path
    }

    /// The settings in effect for `host` (the name as given to cumin), OpenSSH's first-value-wins order.
    public func resolve(host: String) -> HostSettings {
        var settings = HostSettings(host: host)
        settings.fallbackReason = globalFallback
        var seen = Set<String>()
        var applicable: [Setting] = commandLine
        for block in blocks {
            if block.isMatch {
                settings.fallbackReason = settings.fallbackReason ?? "ssh_config Match"
                continue
            }
            if let patterns = block.patterns, !HostPattern.matches(host, patterns: patterns) { continue }
            applicable += block.settings
        }
        var identityFiles: [String] = []
        for setting in applicable {
            let keyword = setting.keyword
            let value = setting.value
            if keyword == "identityfile" {
                identityFiles.append(value)
                continue
            }
            guard seen.insert(keyword).inserted else { continue }
            let lowered = value.lowercased()
            switch keyword {
            case "hostname": settings.hostName = value
            case "port":
                guard let port = Int(value), (1...65535).contains(port) else {
                    settings.fallbackReason = settings.fallbackReason ?? "Port \(value)"
                    continue
                }
                settings.port = port
            case "user": settings.user = value
            case "identitiesonly": settings.identitiesOnly = Self.isYes(lowered)
            case "connecttimeout":
                if let seconds = Int(value), seconds > 0 { settings.connectTimeout = seconds }
            case "serveraliveinterval": settings.serverAliveInterval = Int(value) ?? 0
            case "serveralivecountmax": settings.serverAliveCountMax = Int(value) ?? 3
            case "stricthostkeychecking":
                switch lowered {
                case "yes", "true": settings.strictHostKeyChecking = .yes
                case "accept-new": settings.strictHostKeyChecking = .acceptNew
                case "no", "off", "false": settings.strictHostKeyChecking = .no
                default: settings.strictHostKeyChecking = .ask
                }
            case "userknownhostsfile":
                settings.userKnownHostsFiles = value.split(separator: " ").map(String.init)
            case "globalknownhostsfile":
                settings.globalKnownHostsFiles = value.split(separator: " ").map(String.init)
            case "batchmode": settings.batchMode = Self.isYes(lowered)
            case "hostkeyalias": settings.hostKeyAlias = value
            case "proxyjump", "proxycommand":
                if lowered != "none" { settings.fallbackReason = settings.fallbackReason ?? Self.name(keyword) }
            case "certificatefile", "pkcs11provider", "securitykeyprovider", "remotecommand", "localforward",
                "remoteforward", "dynamicforward", "tunnel", "localcommand":
                if lowered != "none" && lowered != "no" {
                    settings.fallbackReason = settings.fallbackReason ?? Self.name(keyword)
                }
            case "requesttty":
                if lowered == "yes" || lowered == "force" { settings.fallbackReason = settings.fallbackReason ?? "RequestTTY" }
            case "canonicalizehostname":
                if lowered == "yes" || lowered == "always" {
                    settings.fallbackReason = settings.fallbackReason ?? "CanonicalizeHostname"
                }
            case "pubkeyauthentication":
                if !Self.isYes(lowered) { settings.fallbackReason = settings.fallbackReason ?? "PubkeyAuthentication no" }
            case "preferredauthentications":
                if !lowered.split(separator: ",").contains("publickey") {
                    settings.fallbackReason = settings.fallbackReason ?? "PreferredAuthentications without publickey"
                }
            case "sendenv": settings.sendEnvironment = value.split(separator: " ").map(String.init)
            default:
                break
            }
        }
        settings.identityFiles = identityFiles
        var unresolved = settings
        unresolved.hostName = nil
        settings.hostName = expand(settings.hostName ?? host, settings: unresolved, host: host)
        settings.identityFiles = settings.identityFiles.map { expand($0, settings: settings, host: host) }
        settings.userKnownHostsFiles = settings.userKnownHostsFiles.map { expand($0, settings: settings, host: host) }
        settings.globalKnownHostsFiles = settings.globalKnownHostsFiles.map {
            expand($0, settings: settings, host: host)
        }
        if settings.user == nil { settings.user = localUser }
        return settings
    }

    private static func isYes(_ value: String) -> Bool { value == "yes" || value == "true" }

    private static func name(_ keyword: String) -> String {
        [
            "proxyjump": "ProxyJump", "proxycommand": "ProxyCommand", "certificatefile": "CertificateFile",
            "pkcs11provider": "PKCS11Provider", "securitykeyprovider": "SecurityKeyProvider",
            "remotecommand": "RemoteCommand", "localforward": "LocalForward", "remoteforward": "RemoteForward",
            "dynamicforward": "DynamicForward", "tunnel": "Tunnel", "localcommand": "LocalCommand",
        ][keyword] ?? keyword
    }

    /// `~` and the `%` tokens OpenSSH expands in these keywords: `%h` (host name), `%n` (name as given),
    /// `%p`, `%r`, `%u`, `%d`, `%%`.
    func expand(_ value: String, settings: HostSettings, host: String) -> String {
        var output = ""
        var iterator = expandTilde(value).makeIterator()
        while let character = iterator.next() {
            guard character == "%" else {
                output.append(character)
                continue
            }
            switch iterator.next() {
            case "h": output += settings.hostName ?? host
            case "n": output += host
            case "p": output += String(settings.port)
            case "r": output += settings.user ?? localUser
            case "u": output += localUser
            case "d": output += home
            case "%": output += "%"
            case let other?: output += "%" + String(other)
            case nil: output += "%"
            }
        }
        return output
    }
}

/// What ssh_config says for one host.
public struct HostSettings: Sendable, Equatable {
    /// OpenSSH's StrictHostKeyChecking values.
    public enum StrictHostKeyChecking: Sendable, Equatable {
        /// Unknown and changed keys are refused.
        case yes
        /// Unknown keys are added; changed keys are refused.
        case acceptNew
        /// Unknown keys are added; changed keys are accepted with a warning.
        case no
        /// OpenSSH asks; in batch mode (as cumin runs it) that is a refusal, like `yes`.
        case ask
    }

    /// The name as given.
    public var host: String
    /// Where to connect (`HostName`, `%h` expanded).
    public var hostName: String?
    /// `Port` (22 by default).
    public var port = 22
    /// `User`; the local user when unset.
    public var user: String?
    /// `IdentityFile`s in order, expanded.
    public var identityFiles: [String] = []
    /// `IdentitiesOnly`.
    public var identitiesOnly = false
    /// `ConnectTimeout` in seconds.
    public var connectTimeout: Int?
    /// `ServerAliveInterval`: seconds of silence from the server before a keepalive request (0: none).
    public var serverAliveInterval = 0
    /// `ServerAliveCountMax`: unanswered keepalive requests before the connection is closed.
    public var serverAliveCountMax = 3
    /// `StrictHostKeyChecking`.
    public var strictHostKeyChecking = StrictHostKeyChecking.ask
    /// `UserKnownHostsFile` (several, space-separated); new keys are written to the first.
    public var userKnownHostsFiles: [String] = ["~/.ssh/known_hosts", "~/.ssh/known_hosts2"]
    /// `GlobalKnownHostsFile`.
    public var globalKnownHostsFiles: [String] = ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"]
    /// `BatchMode` (the native transport never prompts).
    public var batchMode = false
    /// `HostKeyAlias`: the known_hosts name to look up instead of the host's.
    public var hostKeyAlias: String?
    /// `SendEnv` patterns of local variables sent to the server.
    public var sendEnvironment: [String] = []
    /// Why this host must go through OpenSSH, if it must.
    public var fallbackReason: String?

    init(host: String) {
        self.host = host
    }
}
