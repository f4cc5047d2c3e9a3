import Logging

/// Chooses the lock backend of a session from the configuration and flags.
enum CookbookLockingFactory {
    static func make(
        configuration: SpicerackConfiguration, options: CookbookSession.Options, logger: Logger
    ) throws -> any CookbookLocking {
        NoCookbookLocking()
    }
}
