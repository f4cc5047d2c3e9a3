import Logging
import TestSupport
import Testing

@testable import Wmflib

struct NotRetryable: Error {}

@Suite struct RetryTests {
    @Test func succeedsFirstTimeWithoutSleeping() async throws {
        let log = LogRecorder()
        let sleeps = SleepRecorder()
        let counter = Counter()
        let value = try await retry(logger: log.logger(), sleep: sleeps.sleep) {
            counter.increment()
            return 42
        }
        #expect(value == 42)
        #expect(counter.value == 1)
        #expect(sleeps.delays.isEmpty)
        #expect(log.records.isEmpty)
    }

    @Test func retriesUntilSuccess() async throws {
        let log = LogRecorder()
        let sleeps = SleepRecorder()
        let counter = Counter()
        let value = try await retry(tries: 5, logger: log.logger(), sleep: sleeps.sleep) {
            if counter.increment() < 3 { throw WmflibError("not yet") }
            return "done"
        }
        #expect(value == "done")
        #expect(counter.value == 3)
        #expect(sleeps.delays == [.seconds(3), .seconds(9)])
    }

    @Test func rethrowsTheLastFailureAfterAllTries() async throws {
        let log = LogRecorder()
        let sleeps = SleepRecorder()
        let counter = Counter()
        await #expect(throws: WmflibError("attempt 3 failed")) {
            try await retry(
                delay: .milliseconds(200), backoff: .constant, failureMessage: "Service not ready",
                logger: log.logger(), sleep: sleeps.sleep
            ) { () async throws -> Int in
                let attempt = counter.increment()
                throw WmflibError("attempt \(attempt) failed")
            }
        }
        #expect(counter.value == 3)
        #expect(
            log.messages == [
                "[1/3, retrying in 0.20s] Service not ready: attempt 1 failed",
                "[2/3, retrying in 0.20s] Service not ready: attempt 2 failed",
            ])
        #expect(log.records.allSatisfy { $0.level == .warning })
    }

    @Test func defaultFailureMessageNamesModuleAndFunction() async throws {
        let log = LogRecorder()
        await #expect(throws: WmflibError.self) {
            try await retry(tries: 2, logger: log.logger(), sleep: SleepRecorder().sleep) { () async throws -> Int in
                throw WmflibError("boom")
            }
        }
        #expect(log.messages == ["[1/2, retrying in 3.00s] Attempt to run 'WmflibTests.defaultFailureMessageNamesModuleAndFunction()' raised: boom"])
    }

    @Test func logsTheCauseChain() async throws {
        let log = LogRecorder()
        await #expect(throws: WmflibError.self) {
            try await retry(tries: 2, failureMessage: "Failed", logger: log.logger(), sleep: SleepRecorder().sleep) {
                () async throws -> Int in
                throw WmflibError("outer", underlying: "inner problem")
            }
        }
        #expect(log.messages == ["[1/2, retrying in 3.00s] Failed: outer\nCaused by: inner problem"])
    }

    @Test func doesNotRetryOtherErrors() async throws {
        let counter = Counter()
        let sleeps = SleepRecorder()
        await #expect(throws: NotRetryable.self) {
            try await retry(logger: LogRecorder().logger(), sleep: sleeps.sleep) { () async throws -> Int in
                counter.increment()
                throw NotRetryable()
            }
        }
        #expect(counter.value == 1)
        #expect(sleeps.delays.isEmpty)
    }

    @Test func customRetryPredicate() async throws {
        let counter = Counter()
        await #expect(throws: NotRetryable.self) {
            try await retry(
                tries: 4, retryIf: { $0 is NotRetryable }, logger: LogRecorder().logger(),
                sleep: SleepRecorder().sleep
            ) { () async throws -> Int in
                counter.increment()
                throw NotRetryable()
            }
        }
        #expect(counter.value == 4)
    }

    @Test(arguments: [
        (BackoffMode.constant, [3.0, 3, 3, 3]),
        (.linear, [3.0, 6, 9, 12]),
        (.power, [3.0, 6, 12, 24]),
        (.exponential, [3.0, 9, 27, 81]),
    ])
    func backoffDelays(mode: BackoffMode, expected: [Double]) async throws {
        let sleeps = SleepRecorder()
        await #expect(throws: WmflibError.self) {
            try await retry(tries: 5, backoff: mode, logger: LogRecorder().logger(), sleep: sleeps.sleep) {
                () async throws -> Int in
                throw WmflibError("fail")
            }
        }
        #expect(sleeps.delays == expected.map { .seconds($0) })
    }

    @Test func fractionalLinearDelaysAreFormattedWithTwoDecimals() async throws {
        let log = LogRecorder()
        let sleeps = SleepRecorder()
        await #expect(throws: WmflibError.self) {
            try await retry(
                tries: 3, delay: .milliseconds(1500), backoff: .linear, failureMessage: "m",
                logger: log.logger(), sleep: sleeps.sleep
            ) { () async throws -> Int in throw WmflibError("e") }
        }
        #expect(sleeps.delays == [.milliseconds(1500), .seconds(3)])
        #expect(log.messages == ["[1/3, retrying in 1.50s] m: e", "[2/3, retrying in 3.00s] m: e"])
    }

    @Test func dryRunReducesTriesToOne() async throws {
        let log = LogRecorder()
        let counter = Counter()
        await #expect(throws: WmflibError.self) {
            try await retry(dryRun: true, logger: log.logger(), sleep: SleepRecorder().sleep) {
                () async throws -> Int in
                counter.increment()
                throw WmflibError("fail")
            }
        }
        #expect(counter.value == 1)
        #expect(log.messages == ["Reduce tries from 3 to 1 in DRY-RUN mode"])
    }

    @Test func dynamicParametersAdjustBeforeTheFirstAttempt() async throws {
        let sleeps = SleepRecorder()
        let counter = Counter()
        await #expect(throws: WmflibError.self) {
            try await retry(
                tries: 2, delay: .seconds(10), backoff: .constant, logger: LogRecorder().logger(),
                sleep: sleeps.sleep,
                dynamicParameters: [{ $0.delay = $0.delay * 2 }, { $0.tries += 1 }]
            ) { () async throws -> Int in
                counter.increment()
                throw WmflibError("fail")
            }
        }
        #expect(counter.value == 3)
        #expect(sleeps.delays == [.seconds(20), .seconds(20)])
    }

    @Test func invalidParameters() async throws {
        let logger = LogRecorder().logger()
        await #expect(throws: WmflibError("Tries must be a positive integer, got 0")) {
            try await retry(tries: 0, logger: logger) { 1 }
        }
        await #expect(
            throws: WmflibError("Delay must be greater than 1 if backoff_mode is exponential, got 0:00:00.500000")
        ) {
            try await retry(delay: .milliseconds(500), logger: logger) { 1 }
        }
        await #expect(throws: WmflibError("A failure_message must be set.")) {
            try await retry(failureMessage: "", logger: logger) { 1 }
        }
        // Sub-second delays are fine for the other modes.
        let value = try await retry(delay: .milliseconds(500), backoff: .power, logger: logger) { 1 }
        #expect(value == 1)
    }
}
