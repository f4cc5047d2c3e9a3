import Foundation

/// Containment checks for files a deploy reads from the repository: a committed symbolic link must not make
/// scap read (and ship to the targets) a file of the deploy host outside the repository's `scap/` directory.
///
/// ```swift
/// let template = try ScapPath.contained("/srv/repo/scap/templates/t.j2", in: "/srv/repo/scap")
/// ```
public enum ScapPath {
    /// `path` with every symbolic link resolved, or `nil` when it does not exist.
    public static func resolved(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// Whether `path` (resolved) is `directory` (resolved) or inside it.
    public static func isContained(_ path: String, in directory: String) -> Bool {
        guard let file = resolved(path), let container = resolved(directory) else { return false }
        return file == container || file.hasPrefix(container.hasSuffix("/") ? container : container + "/")
    }

    /// Refuses `path` when, once its symbolic links are resolved, it lies outside `directory`.
    /// - Throws: ``ConfigDeployError`` naming the file and where it leads.
    public static func requireContained(_ path: String, in directory: String, what: String) throws(ConfigDeployError) {
        guard !isContained(path, in: directory) else { return }
        let target = resolved(path) ?? "(unresolvable)"
        throw ConfigDeployError(
            path: path,
            message: "\(what) resolves to \(target), outside \(directory): a symbolic link may not lead out of "
                + "the repository's scap/ directory; commit the file itself")
    }

    /// The repository's `scap/` directory, resolved, after checking that it is inside the repository itself.
    /// - Throws: ``ConfigDeployError`` when `scap/` leads out of `root`.
    public static func scapDirectory(root: String) throws(ConfigDeployError) -> String {
        let scap = (root as NSString).appendingPathComponent("scap")
        if FileManager.default.fileExists(atPath: scap) {
            try requireContained(scap, in: root, what: "the scap directory")
        }
        return scap
    }
}
