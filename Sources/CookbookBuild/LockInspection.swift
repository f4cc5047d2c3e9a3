import Spicerack
import SpicerackLocks

/// `cookbook --locks`: every lock held, who holds it, for how long, and whether they wait at a prompt.
enum LockInspection {
    static func show(configuration: SpicerackConfiguration, noLocks: Bool) async -> Int32 {
        do {
            let backend = try LockConfiguration.backend(configuration, userEtcdrc: LockConfiguration.userEtcdrcPath())
            let holders = try await backend.holders(prefix: nil)
            print(LockTable(holders).description)
            return 0
        } catch {
            CookbookFrontEnd.printError("cookbook: cannot read the locks: \(error)")
            return 1
        }
    }
}
