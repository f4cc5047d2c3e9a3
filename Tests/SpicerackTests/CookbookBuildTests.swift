import Foundation
import Spicerack
import TestSupport
import Testing

@Suite("cookbook build: cache, rebuild, compile errors", .tags(.compiler))
struct CookbookBuildTests {
    static let cookbook = #"""
        import Spicerack

        struct Edited: SimpleCookbook {
            static let title = "Edited cookbook."
            func run(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Int32? {
                print("version 1")
                return nil
            }
        }
        """#

    @Test func cachedWhenUnchangedRebuiltWhenEditedAndBrokenFilesIsolated() async throws {
        let fixture = try CookbookFixture("build", files: ["team/edited.swift": Self.cookbook])
        let first = try await fixture.run(["build"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("Built 1 cookbooks (0 files left out)"))
        // Unchanged: no compiler.
        let second = try await fixture.run(["build"])
        #expect(second.stdout.hasPrefix("Up to date: 1 cookbooks"))
        let cached = try await fixture.run(["team.edited"])
        #expect(cached.stdout == "version 1\n")
        #expect(!cached.stderr.contains("Compiling"))

        // Edited: rebuilt and run.
        try fixture.write("team/edited.swift", Self.cookbook.replacingOccurrences(of: "version 1", with: "version 2"))
        let started = Date()
        let edited = try await fixture.run(["team.edited"])
        let rebuild = Date().timeIntervalSince(started)
        #expect(edited.stdout == "version 2\n")
        #expect(edited.stderr.contains("Compiling the cookbook tree"))
        #expect(rebuild < 60, "rebuild took \(rebuild) s")

        // A broken file is reported with file:line:column and left out; the rest still runs.
        try fixture.write("team/broken.swift", "import Spicerack\n\nstruct Broken: SimpleCookbook {\n    static let title = 42\n}\n")
        let listing = try await fixture.run(["-l"])
        #expect(listing.status == 0)
        #expect(listing.stdout.contains("team.edited"))
        #expect(!listing.stdout.contains("team.broken"))
        #expect(listing.stderr.contains(fixture.tree + "/team/broken.swift:3:8: error: type 'Broken' does not conform"))
        #expect(try await fixture.run(["team.edited"]).stdout == "version 2\n")
        let build = try await fixture.run(["build"])
        #expect(build.status == 1)
        #expect(build.stdout.contains("(1 files left out)"))
    }

    @Test func configurationErrorsNameTheKeyAndFile() async throws {
        let fixture = try CookbookFixture("config", files: [:])
        try "logs_base_dir: /tmp\n".write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let missing = try await fixture.run(["-l"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "\(fixture.configPath): key 'cookbooks_base_dirs' is missing (list the directories that hold cookbook trees)\n")
        try "cookbooks_base_dirs: [\(fixture.tree)]\ninstance_params: {bogus_param: 1}\n".write(
            toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let unknown = try await fixture.run(["-l"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("key 'instance_params.bogus_param' is not a known parameter"))
        try "cookbooks_base_dir: [\(fixture.tree)]\n".write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let misspelt = try await fixture.run(["-l"])
        #expect(misspelt.status == 1)
        #expect(
            misspelt.stderr
                == "\(fixture.configPath): key 'cookbooks_base_dir' is not a known key (did you mean 'cookbooks_base_dirs', 'cookbooks_cache_dir'?)\n"
        )
        try "cookbooks_base_dirs: [\(fixture.tree)]\ninstance_params: {lock_try: 3}\nsite_specific: {a: 1}\n".write(
            toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let parameter = try await fixture.run(["-l"])
        #expect(parameter.status == 1)
        #expect(parameter.stderr.contains("key 'instance_params.lock_try' is not a known parameter (did you mean 'lock_tries'"))
        let absent = try await fixture.run(["-c", "/nonexistent/config.yaml", "-l"])
        #expect(absent.status == 1)
        #expect(absent.stderr.contains("/nonexistent/config.yaml"))
    }
}

@Suite("cookbook: several trees in one namespace", .tags(.compiler))
struct CookbookTreesTests {
    @Test func treesAreMergedAndTheFirstWinsOnAClash() async throws {
        let first = try CookbookFixture(
            "merge", files: ["ops/alpha.swift": CookbookBuildTests.cookbook.replacingOccurrences(of: "Edited", with: "Alpha")])
        let second = first.root + "/second"
        try FileManager.default.createDirectory(atPath: second + "/cookbooks/ops", withIntermediateDirectories: true)
        try CookbookBuildTests.cookbook.replacingOccurrences(of: "Edited", with: "Beta")
            .write(toFile: second + "/cookbooks/ops/beta.swift", atomically: true, encoding: .utf8)
        try CookbookBuildTests.cookbook.replacingOccurrences(of: "Edited", with: "Gamma")
            .write(toFile: second + "/cookbooks/ops/alpha.swift", atomically: true, encoding: .utf8)
        try "cookbooks_base_dirs: [\(first.tree), \(second)]\nlogs_base_dir: \(first.logs)\ncookbooks_cache_dir: \(first.root)/cache\ninstance_params: {locks_dir: \(first.root)/locks}\n"
            .write(toFile: first.configPath, atomically: true, encoding: .utf8)
        let listing = try await first.run(["-l", "-v"])
        #expect(listing.status == 0)
        #expect(listing.stdout.contains("ops.alpha: Alpha cookbook."))
        #expect(listing.stdout.contains("ops.beta: Beta cookbook."))
        #expect(listing.stderr.contains("ops/alpha.swift is also in \(first.tree)/ops/alpha.swift"))
    }
}
