/// Runs a ``SimpleCookbook`` through the same lifecycle as runner cookbooks (Spicerack wraps module cookbooks the
/// same way).
struct SimpleCookbookRunner<C: SimpleCookbook>: CookbookRunner {
    let cookbook: C
    let arguments: C.Arguments
    let spicerack: Spicerack

    var maxConcurrency: Int { C.maxConcurrency }
    var lockTTL: Duration { C.lockTTL }

    func run() async throws -> Int32? {
        try await cookbook.run(arguments, spicerack)
    }
}
