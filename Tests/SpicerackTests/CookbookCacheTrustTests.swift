import Foundation
import Spicerack
import Testing

@testable import CookbookBuild

/// The cookbook cache is run as whoever runs `cookbook` (often root): a cache another user can write is refused.
@Suite struct CookbookCacheTrustTests {
    let root = (NSTemporaryDirectory() as NSString).appendingPathComponent("cache-trust-\(UUID().uuidString)")

    func builder(cache: String) throws -> CookbookBuilder {
        let tree = "\(root)/tree"
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        let framework = Framework(directory: "\(root)/framework", moduleMaps: [], stamp: "test")
        return CookbookBuilder(baseDirectories: [tree], cacheDirectory: cache, framework: framework)
    }

    func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
    }

    @Test func aCacheWritableByOthersIsRefused() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = "\(root)/cache"
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        chmod(cache, 0o777)
        let builder = try builder(cache: cache)
        await #expect {
            _ = try await builder.build()
        } throws: { error in
            let message = (error as? BuildError)?.message ?? ""
            return message.contains(cache) && message.contains("writable by group or others")
        }
    }

    @Test func aReplacedCachedExecutableIsRefusedNotRun() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = "\(root)/cache"
        let builder = try builder(cache: cache)
        let key = builder.cacheKey(for: CookbookSourceTree(baseDirectories: builder.baseDirectories))
        let build = "\(builder.treeDirectory)/builds/\(key)"
        try FileManager.default.createDirectory(atPath: build, withIntermediateDirectories: true)
        for directory in [cache, "\(cache)/trees", builder.treeDirectory, "\(builder.treeDirectory)/builds", build] {
            chmod(directory, 0o700)
        }
        let marker = "\(root)/ran"
        let executable = "\(build)/cookbooks"
        try "#!/bin/sh\ntouch \(marker)\n".write(toFile: executable, atomically: true, encoding: .utf8)
        try CookbookIndex(cookbooks: [], groups: [], problems: []).encoded()
            .write(to: URL(fileURLWithPath: "\(build)/index.json"))
        chmod("\(build)/index.json", 0o600)
        // Another user's replacement: left group-writable, as a shared cache directory would.
        chmod(executable, 0o775)
        await #expect {
            _ = try await builder.build()
        } throws: { error in
            ((error as? BuildError)?.message ?? "").contains(executable)
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
        // Made private again, the same cached build is served.
        chmod(executable, 0o700)
        let product = try await builder.build()
        #expect(product.executable == executable)
        #expect(!product.compiled)
    }

    @Test func theCacheRootIsCreatedPrivate() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = "\(root)/new/cache"
        try CacheOwnership.prepare(cache)
        #expect(mode(cache) == 0o700)
    }
}
