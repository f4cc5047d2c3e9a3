import Foundation
import Logging
import OpsSupport

/// Ctrl+C: the first interrupts the running cookbook (or leaves the menu prompt), a second one while the same
/// cookbook is still winding down exits at once with 97.
enum InterruptHandler {
    /// Routes SIGINT to the session until the returned subscription is cancelled.
    static func install(session: CookbookSession, input: MenuInput, logger: Logger) -> SignalSubscription {
        SignalRouter.shared.route([SIGINT]) { _ in
            if session.interruption.isInterrupted && session.interruption.isRunning {
                logger.error("Ctrl+c pressed again, exiting without waiting for the cookbook")
                flushStandardOutput()
                exit(ReservedExitCode.interrupted)
            }
            if session.interruption.interrupt() {
                logger.error("Ctrl+c pressed")
            } else {
                input.wake()
            }
        }
    }
}
