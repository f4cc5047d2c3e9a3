import Dispatch
import Foundation
import Logging

/// Ctrl+C: the first interrupts the running cookbook (or leaves the menu prompt), a second one while the same
/// cookbook is still winding down exits at once with 97.
final class InterruptHandler: @unchecked Sendable {
    private let session: CookbookSession
    private let input: MenuInput
    private let logger: Logger
    private let source: any DispatchSourceSignal

    init(session: CookbookSession, input: MenuInput, logger: Logger) {
        self.session = session
        self.input = input
        self.logger = logger
        self.source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    }

    func install() {
        signal(SIGINT, SIG_IGN)
        let session = self.session
        let input = self.input
        let logger = self.logger
        source.setEventHandler {
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
        source.resume()
    }

    func uninstall() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
