import Foundation
import OpsSupport
import Spicerack

/// The `cookbook` command: lists from the index, builds ahead of time, or compiles the tree when it changed and
/// hands over to the compiled runner (which shows the menu or runs the cookbook).
public enum CookbookFrontEnd {
    /// Runs the command and returns the exit code; returns only when it does not exec the runner.
    public static func run(arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) async -> Int32 {
        let global: GlobalArguments
        switch GlobalArguments.parseOrReport(arguments) {
        case .success(let parsed): global = parsed
        case .failure(let status): return status.code
        }
        if global.help {
            print(GlobalArguments.helpText, terminator: "")
            return 0
        }
        let configuration: SpicerackConfiguration
        do {
            configuration = try SpicerackConfiguration.load(global.configFile, environment: environment)
        } catch {
            printError(error.description)
            return 1
        }
        if global.showLocks {
            return await LockInspection.show(configuration: configuration, noLocks: global.noLocks)
        }
        let builder: CookbookBuilder
        do {
            builder = CookbookBuilder(
                baseDirectories: configuration.cookbooksBaseDirectories, cacheDirectory: configuration.cacheDirectory,
                framework: try Framework.locate(
                    environment: environment,
                    stampCache: (configuration.cacheDirectory as NSString).appendingPathComponent("framework-stamps.json")),
                progress: { printError($0) })
        } catch {
            printError(error.description)
            return 1
        }
        let isBuildCommand = global.cookbook == "build" && !global.list
        let started = ContinuousClock.now
        let product: CookbookBuilder.Product
        do {
            product = try await builder.build()
        } catch {
            printError(error.description)
            return 1
        }
        if isBuildCommand {
            for problem in product.index.problems { printError("Failed to compile \(problem) (left out of the tree)") }
            let elapsed = (ContinuousClock.now - started).inSeconds
            print(
                "\(product.compiled ? "Built" : "Up to date:") \(product.index.cookbooks.count) cookbooks"
                    + " (\(product.index.problems.count) files left out) in \(String(format: "%.2f", elapsed)) s: \(product.executable)")
            return product.index.problems.isEmpty ? 0 : 1
        }
        if global.list {
            for problem in product.index.problems { printError("Failed to compile \(problem) (left out of the tree)") }
            let catalog = CookbookCatalog(index: product.index)
            print(catalog.listing(prefix: global.cookbookName, verbose: global.verbose), terminator: "")
            return 0
        }
        return exec(product.executable, arguments: arguments)
    }

    /// Replaces this process with the compiled runner; returns only when that fails.
    static func exec(_ executable: String, arguments: [String]) -> Int32 {
        fflush(nil)
        let argv = (["cookbook"] + arguments).map { strdup($0) } + [nil]
        execv(executable, argv)
        printError("cookbook: cannot run the compiled cookbooks \(executable): \(String(cString: strerror(errno)))")
        return 1
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
