import Foundation
import Subprocess

/// The environment given to every process cumin or scap starts (ssh, git, and through ssh a ProxyCommand):
/// the current one without the variables that are secrets of this process.
///
/// `SPIDERPIG_IO_KEY` authenticates scap's output records to its supervisor; a child that saw it could forge
/// records (or leak the key), so it never reaches one.
/// ```swift
/// process.environment = ChildEnvironment.inherited()
/// ```
public enum ChildEnvironment {
    /// The variables withheld from children.
    public static let withheldVariables: Set<String> = ["SPIDERPIG_IO_KEY"]

    /// `environment` (the process's by default) without the ``withheldVariables``.
    public static func inherited(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> [String: String]
    {
        environment.filter { !withheldVariables.contains($0.key) }
    }

    /// A Subprocess environment: the inherited one with `extra` set and the ``withheldVariables`` removed.
    static func subprocess(adding extra: [String: String] = [:]) -> Subprocess.Environment {
        var update: [Subprocess.Environment.Key: String?] = [:]
        for (name, value) in extra where !withheldVariables.contains(name) {
            if let key = Subprocess.Environment.Key(rawValue: name) { update[key] = value }
        }
        for name in withheldVariables {
            if let key = Subprocess.Environment.Key(rawValue: name) { update.updateValue(nil, forKey: key) }
        }
        return .inherit.updating(update)
    }
}
