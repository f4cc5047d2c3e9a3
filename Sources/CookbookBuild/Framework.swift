import Foundation

/// The built Spicerack framework that cookbook trees are compiled against: `libSpicerackFramework.so`, the Swift
/// modules it exports, and the module maps of the C libraries those modules import.
///
/// It is found next to the running `cookbook` executable (both come out of the same `swift build`), or in
/// `SPICERACK_FRAMEWORK_DIR`.
public struct Framework: Sendable, Equatable {
    /// The directory holding the library and `Modules/`.
    public var directory: String
    /// `-fmodule-map-file` arguments for the C modules (`CSystem`, `CYaml`, ...).
    public var moduleMaps: [String]
    /// Changes whenever the framework is rebuilt (sizes and modification times of the library and module).
    public var stamp: String

    /// The library file name.
    public static let libraryName = "libSpicerackFramework.so"

    /// Locates the framework.
    /// - Throws: ``BuildError`` saying where it looked and how to build it.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment, executable: String? = nil
    ) throws(BuildError) -> Framework {
        let directory: String
        if let configured = environment["SPICERACK_FRAMEWORK_DIR"], !configured.isEmpty {
            directory = configured
        } else {
            let path = executable ?? ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
            directory = (path as NSString).deletingLastPathComponent
        }
        let library = (directory as NSString).appendingPathComponent(libraryName)
        let module = (directory as NSString).appendingPathComponent("Modules/Spicerack.swiftmodule")
        let manager = FileManager.default
        guard manager.fileExists(atPath: library), manager.fileExists(atPath: module) else {
            throw BuildError(
                "the Spicerack framework is not in \(directory) (looked for \(libraryName) and Modules/Spicerack.swiftmodule)",
                hint: "build the package with `swift build` (it builds the SpicerackFramework product next to `cookbook`), or set SPICERACK_FRAMEWORK_DIR")
        }
        var stamp = SourceHasher()
        for file in [library, module] {
            let attributes = (try? manager.attributesOfItem(atPath: file)) ?? [:]
            stamp.combine(file)
            stamp.combine("\((attributes[.size] as? NSNumber)?.int64Value ?? 0)")
            stamp.combine("\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)")
        }
        return Framework(directory: directory, moduleMaps: findModuleMaps(from: directory), stamp: stamp.hex)
    }

    /// The module maps of the C targets among the package's dependencies (`.build/checkouts/*/Sources/*/include`).
    static func findModuleMaps(from directory: String) -> [String] {
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
