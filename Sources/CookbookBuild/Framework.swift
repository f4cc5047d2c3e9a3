import Foundation

/// The built Spicerack framework that cookbook trees are compiled against: `libSpicerackFramework.so`, the Swift
/// modules it exports, and the module maps of the C libraries those modules import.
///
/// It is found in `SPICERACK_FRAMEWORK_DIR`, else next to the running `cookbook` executable (both come out of the
/// same `swift build`), else in `../lib/spicerack-swift` beside it (where `scripts/install.sh` puts it).
public struct Framework: Sendable, Equatable {
    /// The directory holding the library and `Modules/`.
    public var directory: String
    /// `-fmodule-map-file` arguments for the C modules (`CSystem`, `CYaml`, ...).
    public var moduleMaps: [String]
    /// Changes when the framework's interface changes: a hash of the contents of the Swift modules cookbooks
    /// import. A rebuild that changes only function bodies keeps it (the trees link dynamically and need no rebuild).
    public var stamp: String

    /// The modules whose interface cookbooks see.
    static let interfaceModules = [
        "Spicerack", "SpicerackLocks", "SpicerackRemote", "Cumin", "NodeSet", "Wmflib", "OpsSupport", "ArgumentParser",
        "Logging",
    ]

    /// The library file name.
    public static let libraryName = "libSpicerackFramework.so"

    /// Locates the framework.
    /// - Throws: ``BuildError`` saying where it looked and how to build it.
    /// - Parameter stampCache: a file remembering the hashes of module files by size and modification time, so the
    ///   contents are read only after a rebuild.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment, executable: String? = nil,
        stampCache: String? = nil
    ) throws(BuildError) -> Framework {
        let directory: String
        if let configured = environment["SPICERACK_FRAMEWORK_DIR"], !configured.isEmpty {
            directory = configured
        } else {
            let path = executable ?? ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
            let beside = (path as NSString).deletingLastPathComponent
            let installed = ((beside as NSString).deletingLastPathComponent as NSString)
                .appendingPathComponent("lib/spicerack-swift")
            let besideHasIt = FileManager.default.fileExists(atPath: (beside as NSString).appendingPathComponent(libraryName))
            directory = besideHasIt || !FileManager.default.fileExists(atPath: installed) ? beside : installed
        }
        let library = (directory as NSString).appendingPathComponent(libraryName)
        let module = (directory as NSString).appendingPathComponent("Modules/Spicerack.swiftmodule")
        let manager = FileManager.default
        guard manager.fileExists(atPath: library), manager.fileExists(atPath: module) else {
            throw BuildError(
                "the Spicerack framework is not in \(directory) (looked for \(libraryName) and Modules/Spicerack.swiftmodule)",
                hint: "build the package with `swift build` (it builds the SpicerackFramework product next to `cookbook`), or set SPICERACK_FRAMEWORK_DIR")
        }
        let files = interfaceModules.map { (directory as NSString).appendingPathComponent("Modules/\($0).swiftmodule") }
        let stamp = ModuleStamps(cacheFile: stampCache).stamp(of: files.filter { manager.fileExists(atPath: $0) })
        return Framework(directory: directory, moduleMaps: findModuleMaps(from: directory), stamp: stamp)
    }

    /// The module maps of the C targets among the package's dependencies: those the packages ship
    /// (`.build/checkouts/*/Sources/*/include/module.modulemap`) and those SwiftPM generates beside the framework
    /// for C targets without one (`<framework directory>/<Target>.build/module.modulemap`, e.g. NIO's `CNIOAtomics`).
    static func findModuleMaps(from directory: String) -> [String] {
        generatedModuleMaps(in: directory) + shippedModuleMaps(from: directory)
    }

    /// SwiftPM's generated module maps in the framework directory.
    static func generatedModuleMaps(in directory: String) -> [String] {
        let manager = FileManager.default
        let entries = ((try? manager.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        return entries.filter { $0.hasSuffix(".build") }.map { "\(directory)/\($0)/module.modulemap" }
            .filter { manager.fileExists(atPath: $0) }
    }

    /// The module maps the dependencies ship in their `include` folders.
    static func shippedModuleMaps(from directory: String) -> [String] {
        let manager = FileManager.default
        var current = URL(fileURLWithPath: directory).resolvingSymlinksInPath()
        for _ in 0..<4 {
            let checkouts = current.appendingPathComponent("checkouts").path
            if let packages = try? manager.contentsOfDirectory(atPath: checkouts) {
                var maps: [String] = []
                for package in packages.sorted() {
                    let sources = "\(checkouts)/\(package)/Sources"
                    for target in ((try? manager.contentsOfDirectory(atPath: sources)) ?? []).sorted() {
                        let map = "\(sources)/\(target)/include/module.modulemap"
                        if manager.fileExists(atPath: map) { maps.append(map) }
                    }
                }
                return maps
            }
            current = current.deletingLastPathComponent()
        }
        return []
    }
}

/// Content hashes of module files, remembered by path, size and modification time.
struct ModuleStamps {
    let cacheFile: String?

    private struct Entry: Codable {
        var size: Int64
        var modified: Double
        var hash: String
    }

    func stamp(of files: [String]) -> String {
        let manager = FileManager.default
        var known: [String: Entry] = [:]
        if let cacheFile, let data = manager.contents(atPath: cacheFile),
            let decoded = try? JSONDecoder().decode([String: Entry].self, from: data)
        {
            known = decoded
        }
        var changed = false
        var combined = SourceHasher()
        for file in files {
            let attributes = (try? manager.attributesOfItem(atPath: file)) ?? [:]
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            var entry = known[file]
            if entry == nil || entry?.size != size || entry?.modified != modified {
                var hasher = SourceHasher()
                hasher.combine(manager.contents(atPath: file) ?? Data())
                entry = Entry(size: size, modified: modified, hash: hasher.hex)
                known[file] = entry
                changed = true
            }
            combined.combine(file)
            combined.combine(entry?.hash ?? "")
        }
        if changed, let cacheFile, let data = try? JSONEncoder().encode(known) {
            try? manager.createDirectory(
                atPath: (cacheFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? data.write(to: URL(fileURLWithPath: cacheFile), options: .atomic)
        }
        return combined.hex
    }
}
