import Foundation
import Wmflib

/// Loads the effective ``ScapConfig`` of a deploy repository, as `scap` does.
///
/// Files are read in order, later ones winning: the system file (`/etc/scap.cfg`), `scap/scap.cfg` (or the
/// `-c` file), then `scap/environments/<env>/scap.cfg`. From the merged files, `[DEFAULT]`, then `[global]`,
/// then every section named by a suffix of the host name (least specific first: `[wmnet]`, `[eqiad.wmnet]`,
/// `[deploy1002.eqiad.wmnet]`) apply; `-D key:value` overrides come last. An `environment` key re-enters the
/// loader with that environment when none was given.
///
/// Unknown keys and bad values in the repository's files and overrides are errors; unknown keys in the system
/// file are ignored, since that file also holds keys of other scap commands.
/// ```swift
/// var loader = ScapConfigLoader(root: repo, environment: "beta", overrides: ["cache_revs:3"])
/// loader.systemConfigPath = nil
/// let config = try loader.load()
/// ```
public struct ScapConfigLoader: Sendable {
    /// The top of the deploy repository (the directory holding `scap/`).
    public var root: String
    /// The environment (`-e`), or `nil`.
    public var environment: String?
    /// `-D` overrides, each `key:value`.
    public var overrides: [String]
    /// The host name whose suffixes select sections.
    public var hostname: String
    /// The system-wide file read first, or `nil` to skip it; a missing file is skipped.
    public var systemConfigPath: String?
    /// An alternate file read instead of `scap/scap.cfg` (`-c`); it must exist.
    public var configPath: String?
    /// Whether the repository's `scap/` files are read (`--no-local-config` sets this to `false`).
    public var useLocalConfig: Bool

    /// Creates a loader with scap's defaults: `/etc/scap.cfg`, the local files, and this host's name.
    public init(
        root: String, environment: String? = nil, overrides: [String] = [],
        hostname: String = ProcessInfo.processInfo.hostName
    ) {
        self.root = root
        self.environment = environment
        self.overrides = overrides
        self.hostname = hostname
        self.systemConfigPath = "/etc/scap.cfg"
        self.configPath = nil
        self.useLocalConfig = true
    }

    /// The sections that apply on `hostname`, lowest priority first: `global`, then the suffixes.
    public static func sections(forHost hostname: String) -> [String] {
        let labels = hostname.split(separator: ".").map(String.init)
        let suffixes = labels.indices.reversed().map { labels[$0...].joined(separator: ".") }
        return ["global"] + suffixes
    }

    /// Reads the files and overrides.
    /// - Returns: the effective configuration.
    /// - Throws: ``ScapConfigError`` naming the file, section, line and key of an unknown key, a bad value, an
    ///   unreadable or malformed file, an environment without a directory, or a malformed `-D` override.
    public func load() throws(ScapConfigError) -> ScapConfig {
        var config = try load(environment: environment)
        if environment == nil, case .string(let named)? = config.values["environment"], !named.isEmpty {
            config = try load(environment: named)
        }
        return config
    }

    private struct SourceFile {
        var path: String
        var ini: INIConfig
        var lines: INILineIndex
        var strict: Bool
    }

    private func load(environment: String?) throws(ScapConfigError) -> ScapConfig {
        var sources: [SourceFile] = []
        if let systemConfigPath, FileManager.default.fileExists(atPath: systemConfigPath) {
            sources.append(try read(systemConfigPath, strict: false))
        }
        if let configPath {
            sources.append(try read(configPath, strict: true))
        } else if useLocalConfig {
            let path = (root as NSString).appendingPathComponent("scap/scap.cfg")
            if FileManager.default.fileExists(atPath: path) { sources.append(try read(path, strict: true)) }
        }
        if let environment, useLocalConfig {
            let directory = (root as NSString).appendingPathComponent("scap/environments/\(environment)")
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw ScapConfigError(
                    path: directory, key: "environment",
                    message: "environment '\(environment)' does not exist: create \(directory)/ or pick another -e")
            }
            let path = (directory as NSString).appendingPathComponent("scap.cfg")
            if FileManager.default.fileExists(atPath: path) { sources.append(try read(path, strict: true)) }
        }

        var config = ScapConfig(environment: environment)
        config.files = sources.map(\.path)
        // Validate every option of every section, so that a typo in another host's section is found too.
        var merged: [String: [String: (ConfigValue, ConfigOrigin)]] = [:]
        for source in sources {
            let sections = [("DEFAULT", source.ini.defaults)] + source.ini.sectionNames.map {
                ($0, source.ini.ownOptions[$0] ?? [:])
            }
            for (section, options) in sections {
                for (key, text) in options.sorted(by: { $0.key < $1.key }) {
                    let origin = ConfigOrigin(
                        path: source.path, section: section,
                        line: source.lines.line(ofKey: key, inSection: section))
                    guard let description = ConfigKey.lookup(key) else {
                        if source.strict { throw origin.error(key: key, Self.unknownKeyMessage(key)) }
                        continue
                    }
                    merged[section, default: [:]][key] = (try Self.coerce(text, as: description, at: origin), origin)
                }
            }
        }
        for section in ["DEFAULT"] + Self.sections(forHost: hostname) {
            for (key, (value, origin)) in merged[section] ?? [:] {
                config.values[key] = value
                config.origins[key] = origin
            }
        }
        for override in overrides {
            let origin = ConfigOrigin(path: ScapConfigError.commandLinePath)
            guard let colon = override.firstIndex(of: ":") else {
                throw origin.error(key: nil, "override '\(override)' is not key:value (e.g. -D cache_revs:3)")
            }
            let key = override[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            guard let description = ConfigKey.lookup(key) else {
                throw origin.error(key: key, Self.unknownKeyMessage(key))
            }
            config.values[key] = try Self.coerce(String(override[override.index(after: colon)...]), as: description, at: origin)
            config.origins[key] = origin
        }
        return config
    }

    private func read(_ path: String, strict: Bool) throws(ScapConfigError) -> SourceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScapConfigError(path: path, message: "cannot be read: check that it exists and is readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScapConfigError(path: path, message: "is not valid UTF-8")
        }
        do {
            let ini = try INIConfig(parsing: text, path: path)
            return SourceFile(path: path, ini: ini, lines: INILineIndex(text: text), strict: strict)
        } catch {
            throw Self.locate(error.message, path: path)
        }
    }

    /// Turns a Wmflib INI error (`path:line: message`, possibly several lines) into a ``ScapConfigError``.
    private static func locate(_ message: String, path: String) -> ScapConfigError {
        let detail = message.split(separator: "\n").first { $0.hasPrefix("\(path):") }.map(String.init) ?? message
        guard detail.hasPrefix("\(path):") else { return ScapConfigError(path: path, message: message) }
        let rest = detail.dropFirst(path.count + 1)
        guard let colon = rest.firstIndex(of: ":"), let line = Int(rest[..<colon]) else {
            return ScapConfigError(path: path, message: message)
        }
        var text = rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("File contains no section headers") {
            text += "; put the keys under a [global] section"
        }
        return ScapConfigError(path: path, line: line, message: text)
    }

    private static func coerce(_ text: String, as key: ConfigKey, at origin: ConfigOrigin) throws(ScapConfigError)
        -> ConfigValue
    {
        guard let value = key.kind.coerce(text) else {
            throw origin.error(key: key.name, "expected \(key.kind.expectation), got '\(text)'")
        }
        return value
    }

    private static func unknownKeyMessage(_ key: String) -> String {
        let hint = KeySuggestions.didYouMean(key, among: ConfigKey.all.map(\.name))
        return "unknown key\(hint); scap.cfg accepts the keys of `scap deploy` and <group>_dsh_targets, "
            + "<group>_group_size, <group>_failure_limit and <stage>_batch_size"
    }
}
