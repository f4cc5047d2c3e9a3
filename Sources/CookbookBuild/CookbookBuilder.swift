import Foundation
import OpsSupport
import Spicerack

/// Compiles cookbook trees into cached executables, keyed by a hash of the sources and the framework.
///
/// Nothing changed: the cached executable is used and no compiler runs. Something changed: the generated sources are
/// updated (only changed files are rewritten) and the Swift driver rebuilds incrementally. A file that does not compile
/// is left out with its first error, and the rest of the tree is built again without it.
public struct CookbookBuilder: Sendable {
    /// What a build produced.
    public struct Product: Sendable {
        /// The executable to run.
        public var executable: String
        /// The index of the tree.
        public var index: CookbookIndex
        /// Whether the compiler ran (false: served from the cache).
        public var compiled: Bool
        /// The cache key.
        public var key: String
    }

    /// How many times a build is retried after leaving out files that do not compile.
    static let maximumRounds = 8
    /// Builds kept in the cache per tree.
    static let keptBuilds = 4
    /// Bumped when the generated code changes shape.
    static let generatorVersion = "2"

    /// The trees.
    public let baseDirectories: [String]
    /// The cache root (`cookbooks_cache_dir`).
    public let cacheDirectory: String
    /// The framework to compile against.
    public let framework: Framework
    /// Progress messages (e.g. to stderr).
    public let progress: @Sendable (String) -> Void

    /// Creates a builder.
    public init(
        baseDirectories: [String], cacheDirectory: String, framework: Framework,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.baseDirectories = baseDirectories
        self.cacheDirectory = cacheDirectory
        self.framework = framework
        self.progress = progress
    }

    /// The directory of this set of trees in the cache.
    var treeDirectory: String {
        var hasher = SourceHasher()
        for base in baseDirectories { hasher.combine(base) }
        hasher.combine(framework.directory)
        return "\(cacheDirectory)/trees/\(hasher.hex)"
    }

    /// The build key of `tree`: its contents, the framework's interface and the generator's version.
    func cacheKey(for tree: CookbookSourceTree) -> String {
        var hasher = SourceHasher()
        hasher.combine(tree.contentHash)
        hasher.combine(framework.stamp)
        hasher.combine(Self.generatorVersion)
        return hasher.hex
    }

    /// Returns the executable for the current sources, compiling only when they changed.
    public func build() async throws(BuildError) -> Product {
        let tree = CookbookSourceTree(baseDirectories: baseDirectories)
        let key = cacheKey(for: tree)
        let buildDirectory = "\(treeDirectory)/builds/\(key)"
        try CacheOwnership.prepare(cacheDirectory)
        if let product = try cached(buildDirectory, key: key) { return product }

        do {
            for directory in ["\(cacheDirectory)/trees", treeDirectory]
            where !FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                CacheOwnership.restrict(directory, mode: 0o700)
            }
        } catch {
            throw BuildError("cannot create the cache directory \(treeDirectory): \(error.localizedDescription)", hint: "set cookbooks_cache_dir to a writable directory")
        }
        try CacheOwnership.check(["\(cacheDirectory)/trees", treeDirectory])
        let lock = try BuildLock(path: "\(treeDirectory)/build.lock")
        defer { lock.unlock() }
        if let product = try cached(buildDirectory, key: key) { return product }
        return try await compile(tree: tree, key: key, into: buildDirectory)
    }

    /// The cached product for `key`, after checking that nobody but the running user could have changed it.
    private func cached(_ buildDirectory: String, key: String) throws(BuildError) -> Product? {
        let indexPath = "\(buildDirectory)/index.json"
        let executable = "\(buildDirectory)/cookbooks"
        try CacheOwnership.check([
            "\(cacheDirectory)/trees", treeDirectory, "\(treeDirectory)/builds", buildDirectory, executable, indexPath,
        ])
        guard let data = FileManager.default.contents(atPath: indexPath), let index = try? CookbookIndex.decode(data),
            FileManager.default.isExecutableFile(atPath: executable)
        else { return nil }
        return Product(executable: executable, index: index, compiled: false, key: key)
    }

    private func compile(tree: CookbookSourceTree, key: String, into buildDirectory: String) async throws(BuildError)
        -> Product
    {
        guard let swiftc = SwiftCompiler.swiftcExecutable() else {
            throw BuildError(
                "no Swift toolchain found to compile the cookbooks",
                hint: "put `swiftc` on PATH, or prebuild with `cookbook build` where one is")
        }
        let compiler = SwiftCompiler(swiftc: swiftc, framework: framework)
        let generator = PackageGenerator(directory: "\(treeDirectory)/package")
        var excluded: [String: BuildProblem] = [:]
        progress("Compiling the cookbook tree (\(tree.files.count) files; the sources or the framework changed)...")
        for _ in 0..<Self.maximumRounds {
            let plan = TreePlan(tree: tree, excluded: excluded)
            let mapping: (sources: [String], files: [String: String], mainLines: [Int: String])
            do {
                mapping = try generator.write(plan: plan, groups: tree.groups)
            } catch {
                throw BuildError("cannot write the generated package in \(generator.directory): \(error.localizedDescription)")
            }
            let (succeeded, output) = try await compiler.build(
                sources: mapping.sources, output: generator.executablePath, buildDirectory: generator.buildDirectory)
            if succeeded {
                return try await store(generator: generator, key: key, buildDirectory: buildDirectory)
            }
            var newlyExcluded = 0
            for diagnostic in SwiftCompiler.diagnostics(in: output) {
                let original: String?
                if diagnostic.path.hasSuffix("/main.swift") {
                    original = mapping.mainLines[diagnostic.line]
                } else {
                    original = mapping.files[diagnostic.path]
                        ?? mapping.files[URL(fileURLWithPath: diagnostic.path).resolvingSymlinksInPath().path]
                }
                guard let original, excluded[original] == nil else { continue }
                let isRegistry = diagnostic.path.hasSuffix("/main.swift")
                excluded[original] = BuildProblem(
                    file: original, line: isRegistry ? nil : diagnostic.line, column: isRegistry ? nil : diagnostic.column,
                    message: isRegistry ? "the cookbook type does not conform: \(diagnostic.message)" : "error: \(diagnostic.message)")
                newlyExcluded += 1
            }
            if newlyExcluded == 0 {
                let tail = output.split(separator: "\n").suffix(15).joined(separator: "\n")
                throw BuildError("compiling the cookbook tree failed:\n\(tail)", hint: "see the errors above")
            }
        }
        throw BuildError("too many files failed to compile; fix the errors reported and try again")
    }

    private func store(generator: PackageGenerator, key: String, buildDirectory: String) async throws(BuildError)
        -> Product
    {
        let manager = FileManager.default
        let built = generator.executablePath
        let staging = "\(buildDirectory).\(getpid()).tmp"
        do {
            try? manager.removeItem(atPath: staging)
            try manager.createDirectory(atPath: staging, withIntermediateDirectories: true)
            CacheOwnership.restrict("\(treeDirectory)/builds", mode: 0o700)
            CacheOwnership.restrict(staging, mode: 0o700)
            try manager.copyItem(atPath: built, toPath: "\(staging)/cookbooks")
            CacheOwnership.restrict("\(staging)/cookbooks", mode: 0o700)
        } catch {
            throw BuildError("cannot store the built cookbooks in \(buildDirectory): \(error.localizedDescription)")
        }
        let index = try await dumpIndex(executable: "\(staging)/cookbooks")
        do {
            try index.encoded().write(to: URL(fileURLWithPath: "\(staging)/index.json"), options: .atomic)
            CacheOwnership.restrict("\(staging)/index.json", mode: 0o600)
            try? manager.removeItem(atPath: buildDirectory)
            try manager.moveItem(atPath: staging, toPath: buildDirectory)
        } catch {
            throw BuildError("cannot store the built cookbooks in \(buildDirectory): \(error.localizedDescription)")
        }
        prune(keeping: key)
        return Product(executable: "\(buildDirectory)/cookbooks", index: index, compiled: true, key: key)
    }

    private func dumpIndex(executable: String) async throws(BuildError) -> CookbookIndex {
        let result: ChildProcessResult
        do {
            result = try await ChildProcess(executable, ["--dump-index"]).run()
        } catch {
            throw BuildError("cannot run the built cookbooks \(executable): \(error.description)")
        }
        guard result.succeeded, let index = try? CookbookIndex.decode(Data(result.standardOutput)) else {
            throw BuildError("the built cookbooks \(executable) did not describe themselves (\(result.termination))")
        }
        return index
    }

    /// Removes all but the newest builds.
    private func prune(keeping key: String) {
        let manager = FileManager.default
        let builds = "\(treeDirectory)/builds"
        guard let names = try? manager.contentsOfDirectory(atPath: builds) else { return }
        let dated = names.filter { !$0.hasSuffix(".tmp") }.map { name -> (String, Date) in
            let date = (try? manager.attributesOfItem(atPath: "\(builds)/\(name)")[.modificationDate] as? Date) ?? .distantPast
            return (name, date)
        }.sorted { $0.1 > $1.1 }
        for (name, _) in dated.dropFirst(Self.keptBuilds) where name != key {
            try? manager.removeItem(atPath: "\(builds)/\(name)")
        }
    }
}

/// An exclusive `flock` on a file, so that two `cookbook` processes do not build the same tree at once.
final class BuildLock {
    private let descriptor: Int32

    init(path: String) throws(BuildError) {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw BuildError("cannot open the build lock \(path)") }
        flock(descriptor, LOCK_EX)
    }

    func unlock() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
